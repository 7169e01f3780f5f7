namespace EdgeGateway.Uplink.Payloads;

/// <summary>The topic tree of the contract: <c>P/S/...</c> up, <c>P/S/cmd</c> and <c>P/all/cmd</c> down.</summary>
public sealed class Topics
{
    public const string Telemetry = "telemetry";
    public const string Alert = "alert";
    public const string AlertCap = "alert/cap";
    public const string Event = "event";
    public const string CommandResult = "cmd/result";
    public const string Status = "status";

    public Topics(string prefix, string stationId)
    {
        Prefix = prefix;
        StationId = stationId;
        StationPrefix = $"{prefix}/{stationId}/";
    }

    public string Prefix { get; }
    public string StationId { get; }
    public string StationPrefix { get; }

    public string For(string suffix) => StationPrefix + suffix;

    public string StatusTopic => StationPrefix + Status;
    public string CommandTopic => StationPrefix + "cmd";
    public string BroadcastCommandTopic => $"{Prefix}/all/cmd";
}
