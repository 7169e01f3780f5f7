using System.Buffers.Binary;

namespace EdgeGateway.Demo;

/// <summary>
/// The demo's broadcast messages, synthesised so the demo needs no audio files: a rising two-tone chime
/// for "prepare", a wailing siren for "evacuate", a falling chime for "all clear". 16-bit mono PCM WAV at
/// 16 kHz, the format a station's recorded messages use.
/// </summary>
public static class DemoAudio
{
    public const int SampleRate = 16_000;

    /// <summary>Writes prepare.wav, evacuate.wav and all-clear.wav into <paramref name="directory"/>.</summary>
    public static IReadOnlyDictionary<string, string> WriteMessages(string directory)
    {
        Directory.CreateDirectory(directory);
        var files = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["prepare"] = Path.Combine(directory, "prepare.wav"),
            ["evacuate"] = Path.Combine(directory, "evacuate.wav"),
            ["all-clear"] = Path.Combine(directory, "all-clear.wav"),
        };
        WriteWav(files["prepare"], Chime([660, 880, 660, 880], 0.35));
        WriteWav(files["evacuate"], Siren(3.0));
        WriteWav(files["all-clear"], Chime([880, 660, 523], 0.5));
        return files;
    }

    /// <summary>Notes of <paramref name="noteSeconds"/> each, with a soft attack and decay.</summary>
    public static short[] Chime(IReadOnlyList<double> frequencies, double noteSeconds)
    {
        ArgumentNullException.ThrowIfNull(frequencies);
        var perNote = (int)(noteSeconds * SampleRate);
        var samples = new short[perNote * frequencies.Count];
        for (var n = 0; n < frequencies.Count; n++)
        {
            for (var i = 0; i < perNote; i++)
            {
                var t = (double)i / SampleRate;
                var envelope = Math.Min(1, i / (0.01 * SampleRate)) * Math.Exp(-3 * t / noteSeconds);
                samples[(n * perNote) + i] = (short)(0.6 * short.MaxValue * envelope * Math.Sin(2 * Math.PI * frequencies[n] * t));
            }
        }

        return samples;
    }

    /// <summary>A siren sweeping 600-1200 Hz once a second.</summary>
    public static short[] Siren(double seconds)
    {
        var samples = new short[(int)(seconds * SampleRate)];
        var phase = 0.0;
        for (var i = 0; i < samples.Length; i++)
        {
            var t = (double)i / SampleRate;
            var frequency = 900 + (300 * Math.Sin(2 * Math.PI * t));
            phase += 2 * Math.PI * frequency / SampleRate;
            var fade = Math.Min(1, Math.Min(i, samples.Length - i) / (0.02 * SampleRate));
            samples[i] = (short)(0.6 * short.MaxValue * fade * Math.Sin(phase));
        }

        return samples;
    }

    /// <summary>Writes a canonical 44-byte-header PCM WAV.</summary>
    public static void WriteWav(string path, ReadOnlySpan<short> samples)
    {
        var data = samples.Length * 2;
        var bytes = new byte[44 + data];
        var span = bytes.AsSpan();
        "RIFF"u8.CopyTo(span);
        BinaryPrimitives.WriteInt32LittleEndian(span[4..], 36 + data);
        "WAVEfmt "u8.CopyTo(span[8..]);
        BinaryPrimitives.WriteInt32LittleEndian(span[16..], 16);
        BinaryPrimitives.WriteInt16LittleEndian(span[20..], 1);
        BinaryPrimitives.WriteInt16LittleEndian(span[22..], 1);
        BinaryPrimitives.WriteInt32LittleEndian(span[24..], SampleRate);
        BinaryPrimitives.WriteInt32LittleEndian(span[28..], SampleRate * 2);
        BinaryPrimitives.WriteInt16LittleEndian(span[32..], 2);
        BinaryPrimitives.WriteInt16LittleEndian(span[34..], 16);
        "data"u8.CopyTo(span[36..]);
        BinaryPrimitives.WriteInt32LittleEndian(span[40..], data);
        for (var i = 0; i < samples.Length; i++)
        {
            BinaryPrimitives.WriteInt16LittleEndian(span[(44 + (2 * i))..], samples[i]);
        }

        File.WriteAllBytes(path, bytes);
    }
}
