using System.Text.Json;

namespace EdgeGateway.Uplink.Commands;

/// <summary>A verified hub command with validated arguments. <see cref="Jti"/> identifies it in results and audits.</summary>
public abstract record StationCommand(string Jti)
{
    /// <summary>Arrived on the fleet topic (<c>P/all/cmd</c>), so every station received the same command.</summary>
    public bool Fleetwide { get; init; }

    public const string BroadcastName = "broadcast";
    public const string StopName = "stop";
    public const string TestName = "test";
    public const string ClearName = "clear";
    public const string StatusName = "status";

    /// <summary>
    /// Validates <paramref name="args"/> for <paramref name="name"/>. Unknown commands, unknown argument
    /// names and wrong types are refused with <paramref name="error"/> set.
    /// </summary>
    public static bool TryCreate(string jti, string name, JsonElement? args, out StationCommand? command, out string? error)
    {
        command = null;
        if (name is not (BroadcastName or StopName or TestName or ClearName or StatusName))
        {
            error = "unknown-command";
            return false;
        }

        var a = new Args(args);
        if (!a.IsObject)
        {
            error = "bad-args: args must be an object";
            return false;
        }

        switch (name)
        {
            case BroadcastName:
                if (!a.Only("message", "text", "voice", "repeat", "priority", "exercise", out error)
                    || !a.String("message", out var message, out error)
                    || !a.String("text", out var text, out error)
                    || !a.String("voice", out var voice, out error)
                    || !a.Int("repeat", 1, 20, out var repeat, out error)
                    || !a.Int("priority", 0, 100, out var priority, out error)
                    || !a.Bool("exercise", out var exercise, out error))
                {
                    return false;
                }

                if ((message is null) == (text is null))
                {
                    error = "bad-args: exactly one of message or text";
                    return false;
                }

                if (voice is not null && text is null)
                {
                    error = "bad-args: voice goes with text";
                    return false;
                }

                command = new BroadcastCommand(jti, message, text, voice, repeat, priority, exercise ?? false);
                return true;
            case TestName:
                if (!a.Only("silent", out error) || !a.Bool("silent", out var silent, out error))
                {
                    return false;
                }

                command = new TestCommand(jti, silent ?? false);
                return true;
            case ClearName:
                if (!a.Only("rule", "force", out error) || !a.String("rule", out var rule, out error)
                    || !a.Bool("force", out var force, out error))
                {
                    return false;
                }

                command = new ClearCommand(jti, rule, force ?? false);
                return true;
            case StopName:
                if (!a.Only(out error))
                {
                    return false;
                }

                command = new StopCommand(jti);
                return true;
            default:
                if (!a.Only(out error))
                {
                    return false;
                }

                command = new StatusCommand(jti);
                return true;
        }
    }

    private readonly struct Args(JsonElement? args)
    {
        public bool IsObject => args is null || args.Value.ValueKind == JsonValueKind.Object;

        public bool Only(out string? error) => Only([], out error);

        public bool Only(string a, out string? error) => Only([a], out error);

        public bool Only(string a, string b, out string? error) => Only([a, b], out error);

        public bool Only(string a, string b, string c, string d, string e, string f, out string? error) =>
            Only([a, b, c, d, e, f], out error);

        private bool Only(string[] allowed, out string? error)
        {
            if (args is { } o)
            {
                foreach (var p in o.EnumerateObject())
                {
                    if (Array.IndexOf(allowed, p.Name) < 0)
                    {
                        error = $"bad-args: unknown argument {p.Name}";
                        return false;
                    }
                }
            }

            error = null;
            return true;
        }

        public bool String(string name, out string? value, out string? error)
        {
            value = null;
            error = null;
            if (args is not { } o || !o.TryGetProperty(name, out var e))
            {
                return true;
            }

            if (e.ValueKind != JsonValueKind.String || string.IsNullOrWhiteSpace(e.GetString()))
            {
                error = $"bad-args: {name} must be a non-empty string";
                return false;
            }

            value = e.GetString();
            return true;
        }

        public bool Int(string name, int min, int max, out int? value, out string? error)
        {
            value = null;
            error = null;
            if (args is not { } o || !o.TryGetProperty(name, out var e))
            {
                return true;
            }

            if (e.ValueKind != JsonValueKind.Number || !e.TryGetInt32(out var i) || i < min || i > max)
            {
                error = $"bad-args: {name} must be an integer in {min}..{max}";
                return false;
            }

            value = i;
            return true;
        }

        public bool Bool(string name, out bool? value, out string? error)
        {
            value = null;
            error = null;
            if (args is not { } o || !o.TryGetProperty(name, out var e))
            {
                return true;
            }

            if (e.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
            {
                error = $"bad-args: {name} must be true or false";
                return false;
            }

            value = e.GetBoolean();
            return true;
        }
    }
}

/// <summary>Play a configured message or speak a text. An exercise is announced as one before and after.</summary>
public sealed record BroadcastCommand(string Jti, string? Message, string? Text, string? Voice, int? Repeat,
    int? Priority, bool Exercise) : StationCommand(Jti);

public sealed record StopCommand(string Jti) : StationCommand(Jti);

public sealed record TestCommand(string Jti, bool Silent) : StationCommand(Jti);

/// <summary>
/// Clear a rule (or all, when <see cref="Rule"/> is null). Without <see cref="Force"/> it is refused for a rule
/// whose sensor is faulty and whenever it came on the fleet topic; a forced clear never plays the all-clear.
/// </summary>
public sealed record ClearCommand(string Jti, string? Rule, bool Force = false) : StationCommand(Jti);

public sealed record StatusCommand(string Jti) : StationCommand(Jti);

/// <summary>What the station made of an accepted command.</summary>
public sealed record CommandOutcome(bool Ok, string? Error = null)
{
    public static CommandOutcome Success { get; } = new(true);
}

/// <summary>Carries out accepted commands; the host implements it (broadcast, alerting, status).</summary>
public interface ICommandHandler
{
    Task<CommandOutcome> HandleAsync(StationCommand command, CancellationToken cancellationToken);
}
