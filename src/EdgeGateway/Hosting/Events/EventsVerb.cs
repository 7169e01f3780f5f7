using System.Text.Json;
using System.Text.Json.Nodes;
using EdgeGateway.Control;
using EdgeGateway.Uplink.Record;

namespace EdgeGateway.Hosting.Events;

/// <summary>
/// <c>events {sinceSeconds?, types?}</c> on the control socket: the station's own record
/// (<see cref="EventRecord"/>), oldest first, as <c>{"events":["payload",...],"truncated":bool}</c> where each
/// payload is the message as the hub is sent it, kept as a string so the client can print it byte for byte. Served by the service because the record's file is held
/// exclusively (so that it stays readable on a full disk).
/// </summary>
public sealed class EventsVerb(EventRecord? record, TimeProvider time) : IControlVerb
{
    public const string VerbName = "events";

    /// <summary>The most entries one answer carries (the newest ones); a day of a busy station is far fewer.</summary>
    public const int MaxEntries = 5000;

    private static readonly TimeSpan DefaultSince = TimeSpan.FromHours(24);

    public string Name => VerbName;

    public Task<JsonNode?> HandleAsync(JsonObject args, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(args);
        if (record is null)
        {
            throw new ControlRequestException("the event record could not be opened (see the service log); the station goes on without it");
        }

        var since = time.GetUtcNow() - SinceArgument(args);
        var types = args["types"] is JsonArray list
            ? list.Select(t => t is JsonValue v && v.TryGetValue<string>(out var type) ? type : throw new ControlRequestException("types must be strings")).ToList()
            : null;
        var (events, truncated) = record.Read(since, types, MaxEntries);
        var array = new JsonArray();
        foreach (var e in events)
        {
            array.Add((JsonNode)e.Payload);
        }

        return Task.FromResult<JsonNode?>(new JsonObject { ["events"] = array, ["truncated"] = truncated });
    }

    private static TimeSpan SinceArgument(JsonObject args)
    {
        var node = args["sinceSeconds"];
        if (node is null)
        {
            return DefaultSince;
        }

        return node.GetValueKind() == JsonValueKind.Number && node.AsValue().TryGetValue<double>(out var seconds) && seconds is >= 0 and <= 366 * 86400
            ? TimeSpan.FromSeconds(seconds)
            : throw new ControlRequestException("sinceSeconds must be a number of seconds up to a year");
    }
}
