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
            Warmup = b.Amplifier.Warmup,
            Tail = b.Amplifier.Tail,
            Gap = b.Gap,
            SelfTestPeriod = b.SelfTest,
            SpeechCacheDirectory = Path.Combine(config.Storage.Path, SpeechCacheFolder),
            AllClear = LevelMapping.Cue(config.Alerting.AllClear),
            Levels = levels ?? LevelMapping.Levels(config),
        };
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
        return new GpioHardwareOptions(config.Hardware.Gpio.Driver == GpioDriverKind.Simulated, config.Hardware.Gpio.Chip);
    }
}
