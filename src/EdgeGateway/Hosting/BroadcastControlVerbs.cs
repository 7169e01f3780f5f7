using System.Text.Json;
using System.Text.Json.Nodes;
using EdgeGateway.Configuration.Internal;
using EdgeGateway.Control;
using EdgeGateway.Core.Events;
using EdgeGateway.Broadcast;
using Microsoft.Extensions.Logging;

namespace EdgeGateway.Hosting;

/// <summary>
/// The broadcaster on the control socket:
/// <c>broadcast.test {silent?}</c>, <c>broadcast.play {message, repeat?}</c>,
/// <c>broadcast.say {text, voice?, repeat?}</c>, <c>broadcast.stop {}</c> and <c>broadcast.status {}</c>.
/// Every act (all but status) takes an optional <c>actor</c>, is logged and published as an
/// operator-action event, whether it was accepted or refused. Plays and says rank as operator broadcasts
/// (above automatic level broadcasts); tests rank lowest. A play, say or audible test that cannot be played
/// as asked is refused before anything sounds (<see cref="BroadcastValidator"/>), with the refusal's code.
/// </summary>
public sealed class BroadcastControlVerbs : IControlVerb
{
    public const string Test = "broadcast.test";
    public const string Play = "broadcast.play";
    public const string Say = "broadcast.say";
    public const string Stop = "broadcast.stop";
    public const string Status = "broadcast.status";

    private readonly BroadcastController _controller;
    private readonly IStationEventSink _events;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    public BroadcastControlVerbs(string name, BroadcastController controller, IStationEventSink events, TimeProvider time, ILogger<BroadcastControlVerbs> logger)
    {
        if (!Names.Contains(name, StringComparer.Ordinal))
        {
            throw new ArgumentException($"unknown broadcast verb '{name}'", nameof(name));
        }

        Name = name;
        _controller = controller;
        _events = events;
        _time = time;
        _logger = logger;
    }

    public static IReadOnlyList<string> Names { get; } = [Test, Play, Say, Stop, Status];

    public string Name { get; }

    public async Task<JsonNode?> HandleAsync(JsonObject args, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(args);
        if (Name == Status)
        {
            return StateJson(_controller.State);
        }

        var actor = OptionalString(args, "actor") ?? "control-socket";
        try
        {
            var result = await ActAsync(args, cancellationToken).ConfigureAwait(false);
            Audit(actor, args, ok: true, result.ToJsonString(ControlProtocol.Json), null);
            return result;
        }
        catch (ControlRequestException ex)
        {
            Audit(actor, args, ok: false, ex.Message, ex.Code);
            throw;
        }
    }

    /// <summary>The broadcaster's state as status shows it.</summary>
    public static JsonObject StateJson(BroadcastState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        var zones = new JsonObject();
        foreach (var (id, on) in state.Zones)
        {
            zones[id] = on;
        }

        return new JsonObject
        {
            ["phase"] = state.Phase.ToString().ToLowerInvariant(),
            ["playing"] = state.Current is null ? null : Item(state.Current),
            ["queue"] = new JsonArray([.. state.Queue.Select(i => (JsonNode)Item(i))]),
            ["amplifier"] = state.Amplifier,
            ["zones"] = zones,
            ["sink"] = state.Sink,
            ["lastSelfTest"] = state.LastSelfTest is not { } t ? null : new JsonObject
            {
                ["time"] = t.Time.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", System.Globalization.CultureInfo.InvariantCulture),
                ["silent"] = t.Silent,
                ["outcome"] = t.Outcome,
                ["problems"] = new JsonArray([.. t.Problems.Select(p => (JsonNode)p)]),
            },
            ["problems"] = new JsonArray([.. state.Problems.Select(p => (JsonNode)p)]),
            ["owed"] = state.Owed is not { } owed ? null : new JsonObject
            {
                ["key"] = owed.Key,
                ["message"] = owed.Message,
                ["repeat"] = owed.Repeat,
                ["since"] = owed.Since.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", System.Globalization.CultureInfo.InvariantCulture),
            },
        };
    }

    private async Task<JsonObject> ActAsync(JsonObject args, CancellationToken cancellationToken)
    {
        switch (Name)
        {
            case Stop:
            {
                var (stopped, dropped) = _controller.Stop();
                return new JsonObject { ["stopped"] = stopped?.Message, ["dropped"] = dropped };
            }

            case Test:
            {
                var silent = OptionalBool(args, "silent");
                await RefuseUnplayableAsync(BroadcastRequest.TestOf(silent), cancellationToken).ConfigureAwait(false);
                return Queued(_controller.Test(silent));
            }

            case Play:
            {
                var request = BroadcastRequest.ForMessage(RequiredString(args, "message"), Repeat(args), BroadcastOrigin.Operator);
                await RefuseUnplayableAsync(request, cancellationToken).ConfigureAwait(false);
                return Queued(Enqueue(request));
            }

            default:
            {
                var request = BroadcastRequest.ForText(RequiredString(args, "text"), OptionalString(args, "voice"), Repeat(args), BroadcastOrigin.Operator);
                await RefuseUnplayableAsync(request, cancellationToken).ConfigureAwait(false);
                return Queued(Enqueue(request));
            }
        }
    }

    private async Task RefuseUnplayableAsync(BroadcastRequest request, CancellationToken cancellationToken)
    {
        var library = _controller.Messages;
        if (await BroadcastValidator.CheckAsync(library, request, cancellationToken).ConfigureAwait(false) is not { } refusal)
        {
            return;
        }

        var reason = refusal.Reason;
        if (refusal.Code == BroadcastValidator.UnknownMessage)
        {
            var configured = string.Join(", ", library.Names);
            reason = Suggest.Nearest(request.Message!, library.Names) is { } near
                ? $"no message named '{request.Message}'; did you mean '{near}'? Configured: {configured}"
                : $"no message named '{request.Message}'; configured: {configured}";
        }

        throw new ControlRequestException(reason, refusal.Code);
    }

    private EnqueueResult Enqueue(BroadcastRequest request)
    {
        try
        {
            return _controller.Enqueue(request);
        }
        catch (ArgumentException ex)
        {
            throw new ControlRequestException(ex.Message);
        }
    }

    private static JsonObject Queued(EnqueueResult result) => new()
    {
        ["accepted"] = result.Accepted,
        ["id"] = result.Id.ToString(),
        ["preempting"] = result.Preempting,
        ["position"] = result.QueuePosition,
        ["reason"] = result.Reason,
    };

    private static JsonObject Item(BroadcastItem item) => new()
    {
        ["id"] = item.Id.ToString(),
        ["message"] = item.Message,
        ["origin"] = item.Origin.ToString().ToLowerInvariant(),
        ["priority"] = item.Priority.ToString(),
        ["repeat"] = item.Repeat,
        ["repeatsPlayed"] = item.RepeatsPlayed,
    };

    private void Audit(string actor, JsonObject args, bool ok, string outcome, string? code)
    {
        Log.BroadcastOperatorAction(_logger, Name, actor, ok, outcome);
        var data = new Dictionary<string, object?>
        {
            ["verb"] = Name,
            ["actor"] = actor,
            ["peerUid"] = PeerUid(args),
            ["ok"] = ok,
            ["args"] = args.Where(a => a.Key is not ("actor" or ControlProtocol.PeerUidArgument)).ToDictionary(a => a.Key, a => (object?)a.Value?.ToJsonString(ControlProtocol.Json)),
        };
        data[ok ? "result" : "error"] = outcome;
        if (code is not null)
        {
            data["code"] = code;
        }

        _events.Publish(new StationEvent(StationEventTypes.OperatorAction, _time.GetUtcNow(), Name, $"{Name} by {actor}: {(ok ? "accepted" : "refused: " + outcome)}", data));
    }

    /// <summary>The client's uid as the kernel gave it (the control server sets it; a client cannot).</summary>
    internal static int? PeerUid(JsonObject args) =>
        args[ControlProtocol.PeerUidArgument] is JsonValue v && v.TryGetValue<int>(out var uid) ? uid : null;

    private static string RequiredString(JsonObject args, string name) =>
        OptionalString(args, name) is { Length: > 0 } s && !string.IsNullOrWhiteSpace(s) ? s : throw new ControlRequestException($"{name} is required");

    private static string? OptionalString(JsonObject args, string name)
    {
        var node = args[name];
        if (node is null)
        {
            return null;
        }

        return node.GetValueKind() == JsonValueKind.String ? node.GetValue<string>() : throw new ControlRequestException($"{name} must be a string");
    }

    private static bool OptionalBool(JsonObject args, string name)
    {
        var node = args[name];
        return node is null
            ? false
            : node.GetValueKind() is JsonValueKind.True or JsonValueKind.False ? node.GetValue<bool>() : throw new ControlRequestException($"{name} must be true or false");
    }

    private static int Repeat(JsonObject args)
    {
        var node = args["repeat"];
        if (node is null)
        {
            return 1;
        }

        return node.GetValueKind() == JsonValueKind.Number && node.AsValue().TryGetValue<int>(out var n) && n is >= 1 and <= BroadcastRequest.MaxRepeat
            ? n
            : throw new ControlRequestException($"repeat must be an integer in 1..{BroadcastRequest.MaxRepeat}");
    }
}
