using EdgeGateway.Hardware.Audio;

namespace EdgeGateway.Tests.TestSupport;

/// <summary>
/// A station with speakers for process tests: simulated GPIO (amplifier on line 5, zone <c>village</c> on 6),
/// the file audio sink writing <c>timeline.wav</c>, a 440 Hz clip of the given length as the level broadcast
/// (and as the <c>all-clear</c> message), and the test message as spoken text; all under the test's directory.
/// </summary>
internal static class BroadcastStation
{
    /// <summary>The station with a flood switch raising evacuate, written out.</summary>
    public static string Write(TempDirectory dir, string stationId, string message, TimeSpan clip, string broadcastExtra) =>
        Yaml(dir, stationId, message, clip, broadcastExtra).FloodSwitch(message).Write();

    /// <summary>The station's speakers only: the test adds its inputs (or <see cref="FloodSwitch"/>), an uplink...</summary>
    public static StationYaml Yaml(TempDirectory dir, string stationId, string message, TimeSpan clip, string broadcastExtra)
    {
        var samples = new short[(int)(AudioClip.SampleRate * clip.TotalSeconds)];
        for (var i = 0; i < samples.Length; i++)
        {
            samples[i] = (short)(Math.Sin(2 * Math.PI * 440 * i / AudioClip.SampleRate) * 12_000);
        }

        WavFile.Write(dir.File(message + ".wav"), new AudioClip(message, samples));
        return new StationYaml(stationId, dir)
            .Broadcast(dir.File("timeline.wav"), $$"""
                {{broadcastExtra}}
                messages:
                  {{message}}: { file: {{dir.File(message + ".wav")}} }
                  all-clear: { file: {{dir.File(message + ".wav")}} }
                  test: { text: "这是一次应急广播测试。", voice: cmn }
                """, warmup: "200ms", tail: "200ms");
    }

    /// <summary>A flood switch on line 27 raising evacuate, which broadcasts <paramref name="message"/> once.</summary>
    public static StationYaml FloodSwitch(this StationYaml station, string message) => station
        .DigitalSensor("flood-switch", 27)
        .Alerting($"{{ id: evacuate, severity: Extreme, broadcast: {{ message: {message}, repeat: 1 }} }}",
            "{ id: flood, sensor: flood-switch, when: active, level: evacuate }");
}
