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
        _telemetry = StationPrefix + Telemetry;
        _alert = StationPrefix + Alert;
        _alertCap = StationPrefix + AlertCap;
        _event = StationPrefix + Event;
        _commandResult = StationPrefix + CommandResult;
    }

    // The topics every outbox message goes to, made once: a backlog drain asks for one per message.
    private readonly string _telemetry;
    private readonly string _alert;
    private readonly string _alertCap;
    private readonly string _event;
    private readonly string _commandResult;

    public string Prefix { get; }
    public string StationId { get; }
    public string StationPrefix { get; }

    public string For(string suffix) => suffix switch
    {
        Telemetry => _telemetry,
        Alert => _alert,
        AlertCap => _alertCap,
        Event => _event,
        CommandResult => _commandResult,
        _ => StationPrefix + suffix,
    };

    public string StatusTopic => StationPrefix + Status;
    public string CommandTopic => StationPrefix + "cmd";
    public string BroadcastCommandTopic => $"{Prefix}/all/cmd";
}
