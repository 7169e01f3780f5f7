using EdgeGateway.Core.Alerting;
using EdgeGateway.Core.Options;

namespace EdgeGateway.Broadcast;

/// <summary>
/// Everything the <see cref="BroadcastController"/> needs, independent of how the station file spells it
/// (the host maps <c>broadcast</c> and <c>alerting.levels</c> onto this). Defaults are the documented ones.
/// </summary>
public sealed class BroadcastOptions
{
    public static readonly TimeSpan DefaultWarmup = TimeSpan.FromSeconds(2);
    public static readonly TimeSpan DefaultTail = TimeSpan.FromSeconds(1);
    public static readonly TimeSpan DefaultGap = TimeSpan.FromSeconds(3);
    public static readonly TimeSpan DefaultSelfTestPeriod = TimeSpan.FromDays(7);
    public static readonly TimeSpan DefaultSirenDuration = TimeSpan.FromSeconds(10);
    public static readonly TimeSpan DefaultRelayExercise = TimeSpan.FromMilliseconds(300);

    /// <summary>The message played by <c>broadcast test</c> and exercised by the silent self-test.</summary>
    public const string TestMessage = "test";

    /// <summary>Spoken when no <c>test</c> message is configured: "This is an emergency broadcast test."</summary>
    public const string DefaultTestText = "这是一次应急广播测试。";

    /// <summary>GPIO line (chip offset) of the relay powering the PA amplifier; driven high = on.</summary>
    public int AmplifierPin { get; set; }

    /// <summary>Amplifier powered, zones still open, before audio starts (lets the amplifier settle without a thump on the horns).</summary>
    public TimeSpan Warmup { get; set; } = DefaultWarmup;

    /// <summary>Zones and amplifier held on after the last audio, so the end of a clip is not cut by the relays.</summary>
    public TimeSpan Tail { get; set; } = DefaultTail;

    /// <summary>Speaker zones; each zone relay connects the amplifier output to one group of horns.</summary>
    public IList<ZoneOptions> Zones { get; } = [];

    /// <summary>Silence between repeats of a message (and between two broadcasts that follow each other).</summary>
    public TimeSpan Gap { get; set; } = DefaultGap;

    /// <summary>Named messages: a WAV file or text spoken with espeak-ng.</summary>
    public IDictionary<string, MessageOptions> Messages { get; } = new Dictionary<string, MessageOptions>(StringComparer.Ordinal);

    /// <summary>The station's alert levels (the one <see cref="AlertLevels"/> of the station), with what each plays when the station rises to it.</summary>
    public AlertLevels Levels { get; set; } = AlertLevels.Empty;

    /// <summary>Played when the station level returns to none; null for nothing.</summary>
    public BroadcastCue? AllClear { get; set; }

    /// <summary>Period of the silent self-test; zero disables it.</summary>
    public TimeSpan SelfTestPeriod { get; set; } = DefaultSelfTestPeriod;

    /// <summary>How long the fallback siren sounds in place of one repeat of a message that cannot be played.</summary>
    public TimeSpan SirenDuration { get; set; } = DefaultSirenDuration;

    /// <summary>How long each zone relay is closed during the silent self-test (amplifier unpowered).</summary>
    public TimeSpan RelayExercise { get; set; } = DefaultRelayExercise;

    /// <summary>Where spoken text is rendered and cached (under the storage directory).</summary>
    public string SpeechCacheDirectory { get; set; } = "/var/lib/edge-gateway/speech";

    /// <summary>Every problem at once; empty when the options can run.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        var pins = new Dictionary<int, string>();
        void Pin(int pin, string what)
        {
            if (OptionChecks.GpioLine(pin) is { } problem)
            {
                errors.Add($"{what}: {problem}");
            }
            else if (!pins.TryAdd(pin, what))
            {
                errors.Add($"{what}: GPIO line {pin} is already used by {pins[pin]}");
            }
        }

        Pin(AmplifierPin, "amplifier");
        foreach (var zone in Zones)
        {
            Pin(zone.Pin, $"zone {zone.Id}");
        }

        foreach (var (name, value) in new[] { ("warmup", Warmup), ("tail", Tail), ("gap", Gap), ("selfTest", SelfTestPeriod) })
        {
            if (value < TimeSpan.Zero)
            {
                errors.Add($"{name} must not be negative");
            }
        }

        if (SirenDuration <= TimeSpan.Zero)
        {
            errors.Add("the siren duration must be positive");
        }

        foreach (var (name, message) in Messages)
        {
            if ((message.File is null) == (message.Text is null))
            {
                errors.Add($"message {name}: give either a file or a text");
            }
        }

        foreach (var cue in Levels.Select(l => l.Broadcast).Append(AllClear).OfType<BroadcastCue>())
        {
            if (BroadcastCue.RepeatProblem(cue.Repeat) is { } problem)
            {
                errors.Add($"broadcast {cue.Message}: {problem}");
            }
        }

        return errors;
    }
}

public sealed record ZoneOptions(string Id, int Pin);

/// <summary>A message's audio: a WAV <see cref="File"/>, or <see cref="Text"/> spoken in <see cref="Voice"/> (espeak-ng).</summary>
public sealed record MessageOptions(string? File = null, string? Text = null, string? Voice = null);
