using EdgeGateway.Configuration;
using EdgeGateway.Hardware.Audio;
using EdgeGateway.Broadcast;
using EdgeGateway.Core.Alerting;
using EdgeGateway.Hardware.Gpio;

namespace EdgeGateway.Hosting;

/// <summary>Maps the station.yaml model (<c>broadcast</c>, <c>alerting.levels</c>, <c>alerting.allClear</c>) onto the broadcaster's options.</summary>
public static class BroadcastMapping
{
    /// <summary>Where spoken text is cached, under <c>storage.path</c>.</summary>
    public const string SpeechCacheFolder = "speech";

    /// <summary>
    /// The broadcaster's options, or null when the station has no <c>broadcast</c> section. <paramref name="levels"/>:
    /// the station's levels built once at start (<see cref="LevelMapping.Levels"/>); null: built from <paramref name="config"/>.
    /// </summary>
    public static BroadcastOptions? FromConfig(StationConfig config, AlertLevels? levels = null)
    {
        ArgumentNullException.ThrowIfNull(config);
        if (config.Broadcast is not { } b)
        {
            return null;
        }

        var options = new BroadcastOptions
        {
            AmplifierPin = b.Amplifier.Gpio,
            SpeechCacheDirectory = Path.Combine(config.Storage.Path, SpeechCacheFolder),
            AllClear = LevelMapping.Cue(config.Alerting.AllClear),
            Levels = levels ?? LevelMapping.Levels(config),
        };
        // What the file leaves out keeps the options' own default.
        options.Warmup = b.Amplifier.Warmup ?? options.Warmup;
        options.Tail = b.Amplifier.Tail ?? options.Tail;
        options.Gap = b.Gap ?? options.Gap;
        options.SelfTestPeriod = b.SelfTest ?? options.SelfTestPeriod;
        foreach (var zone in b.Zones)
        {
            options.Zones.Add(new ZoneOptions(zone.Id, zone.Gpio));
        }

        foreach (var (id, message) in b.Messages)
        {
            options.Messages[id] = new MessageOptions(message.File, message.Text, message.Voice);
        }

        return options;
    }

    /// <summary>The sink <c>broadcast.audio</c> names.</summary>
    public static IAudioSink CreateSink(AudioConfig audio, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(audio);
        return audio.Sink switch
        {
            AudioSinkKind.Alsa => new AlsaAudioSink(audio.Device, time),
            AudioSinkKind.File => new FileAudioSink(audio.Path ?? throw new ArgumentException("sink: file needs a path", nameof(audio)), time),
            _ => new NullAudioSink(time),
        };
    }

    /// <summary>The station's GPIO chip (<c>hardware.gpio</c>).</summary>
    public static GpioHardwareOptions Gpio(StationConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        return AcquisitionMapping.Gpio(config.Hardware.Gpio);
    }
}
