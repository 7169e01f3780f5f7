using EdgeGateway.Hardware.Audio;

namespace EdgeGateway.Tests.TestSupport;

/// <summary>
/// A station with speakers for process tests: simulated GPIO (amplifier on line 5, zone <c>village</c> on 6),
/// the file audio sink writing <c>timeline.wav</c>, a 440 Hz clip of the given length as the level broadcast
/// (and as the <c>all-clear</c> message), and the test message as spoken text; all under the test's directory.
/// <c>inputs</c> replaces the default sensors and alerting (a flood switch raising evacuate).
/// </summary>
internal static class BroadcastStation
{
    public static string Write(TempDirectory dir, string stationId, string message, TimeSpan clip, string broadcastExtra, string tail = "", string? inputs = null)
    {
        var samples = new short[(int)(AudioClip.SampleRate * clip.TotalSeconds)];
        for (var i = 0; i < samples.Length; i++)
        {
            samples[i] = (short)(Math.Sin(2 * Math.PI * 440 * i / AudioClip.SampleRate) * 12_000);
        }

        WavFile.Write(dir.File(message + ".wav"), new AudioClip(message, samples));
        var station = new StationYaml(stationId, dir)
            .Broadcast(dir.File("timeline.wav"), $$"""
                {{broadcastExtra}}
                messages:
                  {{message}}: { file: {{dir.File(message + ".wav")}} }
                  all-clear: { file: {{dir.File(message + ".wav")}} }
                  test: { text: "这是一次应急广播测试。", voice: cmn }
                """, warmup: "200ms", tail: "200ms")
            .Section(tail);
        if (inputs is null)
        {
            station.DigitalSensor("flood-switch", 27)
                .Alerting($"{{ id: evacuate, severity: Extreme, broadcast: {{ message: {message}, repeat: 1 }} }}",
                    "{ id: flood, sensor: flood-switch, when: active, level: evacuate }");
        }
        else
        {
            station.Section(inputs);
        }

        return station.Write();
    }
}
