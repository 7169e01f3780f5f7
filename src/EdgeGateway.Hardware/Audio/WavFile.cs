using System.Buffers.Binary;
using EdgeGateway.Hardware.Internal;

namespace EdgeGateway.Hardware.Audio;

/// <summary>
/// Reads RIFF/WAVE files into <see cref="AudioClip"/>s and writes the canonical 44-byte-header form.
/// Accepted: integer PCM of 8, 16, 24 or 32 bits, IEEE float of 32 or 64 bits (also inside
/// WAVE_FORMAT_EXTENSIBLE), any sample rate and channel count; channels are averaged to mono and the rate
/// is converted to <see cref="AudioClip.SampleRate"/>. A data chunk whose size is 0 or 0xFFFFFFFF (a writer
/// that streamed and never came back to fix the header) or runs past the end of the file is read to the end.
/// </summary>
public static class WavFile
{
    /// <summary>Size of the canonical header written by <see cref="WriteHeader"/>.</summary>
    public const int HeaderSize = 44;

    private const ushort FormatPcm = 1;
    private const ushort FormatFloat = 3;
    private const ushort FormatExtensible = 0xFFFE;

    /// <summary>Loads and normalises a WAV file.</summary>
    /// <exception cref="InvalidDataException">Not a WAV file, or an encoding this reader does not handle.</exception>
    /// <exception cref="IOException">The file cannot be read.</exception>
    public static AudioClip Read(string path, string name)
    {
        var bytes = File.ReadAllBytes(path);
        return Decode(bytes, name);
    }

    /// <summary>Decodes a whole WAV image (see the type's remarks for what is accepted).</summary>
    public static AudioClip Decode(ReadOnlySpan<byte> wav, string name)
    {
        if (wav.Length < 12 || !wav[..4].SequenceEqual("RIFF"u8) || !wav.Slice(8, 4).SequenceEqual("WAVE"u8))
        {
            throw new InvalidDataException("not a RIFF/WAVE file");
        }

        WavFormat? format = null;
        var position = 12;
        while (position + 8 <= wav.Length)
        {
            var id = wav.Slice(position, 4);
            var size = BinaryPrimitives.ReadUInt32LittleEndian(wav.Slice(position + 4, 4));
            var body = position + 8;
            if (id.SequenceEqual("fmt "u8))
            {
                if (size < 16 || body + 16 > wav.Length)
                {
                    throw new InvalidDataException("truncated fmt chunk");
                }

                format = ParseFormat(wav.Slice(body, (int)Math.Min(size, (uint)(wav.Length - body))));
            }
            else if (id.SequenceEqual("data"u8))
            {
                if (format is null)
                {
                    throw new InvalidDataException("data chunk before fmt chunk");
                }

                var available = wav.Length - body;
                var length = size == 0 || size == uint.MaxValue || size > available ? available : (int)size;
                return new AudioClip(name, Convert(wav.Slice(body, length), format.Value));
            }

            // Chunks are word aligned: an odd-sized chunk is followed by a pad byte.
            position = (int)Math.Min(int.MaxValue, body + (long)size + (size & 1));
        }

        throw new InvalidDataException(format is null ? "no fmt chunk" : "no data chunk");
    }

    /// <summary>Writes a clip as a canonical 16-bit mono WAV file (replacing any file there).</summary>
    public static void Write(string path, AudioClip clip)
    {
        ArgumentNullException.ThrowIfNull(clip);
        using var stream = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.Read);
        Span<byte> header = stackalloc byte[HeaderSize];
        WriteHeader(header, (uint)(clip.Samples.Length * sizeof(short)));
        stream.Write(header);
        stream.Write(PcmBytes(clip.Samples.Span));
    }

    /// <summary>
    /// The canonical header for <paramref name="dataBytes"/> of 16-bit mono PCM at <see cref="AudioClip.SampleRate"/>:
    /// <c>RIFF [size-8] WAVE | fmt  16 1 1 rate rate*2 2 16 | data [dataBytes]</c>.
    /// </summary>
    public static void WriteHeader(Span<byte> header, uint dataBytes)
    {
        if (header.Length < HeaderSize)
        {
            throw new ArgumentException("the header needs 44 bytes", nameof(header));
        }

        "RIFF"u8.CopyTo(header);
        BinaryPrimitives.WriteUInt32LittleEndian(header[4..], 36 + dataBytes);
        "WAVE"u8.CopyTo(header[8..]);
        "fmt "u8.CopyTo(header[12..]);
        BinaryPrimitives.WriteUInt32LittleEndian(header[16..], 16);
        BinaryPrimitives.WriteUInt16LittleEndian(header[20..], FormatPcm);
        BinaryPrimitives.WriteUInt16LittleEndian(header[22..], 1);
        BinaryPrimitives.WriteUInt32LittleEndian(header[24..], AudioClip.SampleRate);
        BinaryPrimitives.WriteUInt32LittleEndian(header[28..], AudioClip.SampleRate * sizeof(short));
        BinaryPrimitives.WriteUInt16LittleEndian(header[32..], sizeof(short));
        BinaryPrimitives.WriteUInt16LittleEndian(header[34..], 16);
        "data"u8.CopyTo(header[36..]);
        BinaryPrimitives.WriteUInt32LittleEndian(header[40..], dataBytes);
    }

    /// <summary>Whether <paramref name="header"/> is exactly the canonical header this class writes (any data size).</summary>
    public static bool IsCanonicalHeader(ReadOnlySpan<byte> header)
    {
        if (header.Length < HeaderSize)
        {
            return false;
        }

        Span<byte> expected = stackalloc byte[HeaderSize];
        WriteHeader(expected, 0);
        return header[..4].SequenceEqual(expected[..4])
            && header[8..40].SequenceEqual(expected[8..40]);
    }

    /// <summary>Little-endian bytes of 16-bit samples (the WAV and ALSA S16_LE layout).</summary>
    public static byte[] PcmBytes(ReadOnlySpan<short> samples)
    {
        var bytes = new byte[samples.Length * sizeof(short)];
        for (var i = 0; i < samples.Length; i++)
        {
            BinaryPrimitives.WriteInt16LittleEndian(bytes.AsSpan(i * sizeof(short)), samples[i]);
        }

        return bytes;
    }

    private static WavFormat ParseFormat(ReadOnlySpan<byte> fmt)
    {
        var tag = BinaryPrimitives.ReadUInt16LittleEndian(fmt);
        var channels = BinaryPrimitives.ReadUInt16LittleEndian(fmt[2..]);
        var rate = BinaryPrimitives.ReadUInt32LittleEndian(fmt[4..]);
        var blockAlign = BinaryPrimitives.ReadUInt16LittleEndian(fmt[12..]);
        var bits = BinaryPrimitives.ReadUInt16LittleEndian(fmt[14..]);
        if (tag == FormatExtensible)
        {
            // WAVEFORMATEXTENSIBLE: cbSize(2) validBits(2) channelMask(4) then the sub-format GUID,
            // whose first two bytes are the plain format tag.
            if (fmt.Length < 26)
            {
                throw new InvalidDataException("truncated WAVE_FORMAT_EXTENSIBLE fmt chunk");
            }

            tag = BinaryPrimitives.ReadUInt16LittleEndian(fmt[24..]);
        }

        if (channels == 0 || rate == 0 || rate > 384_000)
        {
            throw new InvalidDataException($"implausible format: {channels} channels at {rate} Hz");
        }

        var valid = (tag, bits) switch
        {
            (FormatPcm, 8 or 16 or 24 or 32) => true,
            (FormatFloat, 32 or 64) => true,
            _ => false,
        };
        if (!valid)
        {
            throw new InvalidDataException($"unsupported WAV encoding: format tag {tag}, {bits} bits");
        }

        var bytesPerSample = bits / 8;
        if (blockAlign != channels * bytesPerSample)
        {
            throw new InvalidDataException($"inconsistent block align {blockAlign} for {channels} x {bits} bits");
        }

        return new WavFormat(tag == FormatFloat, channels, (int)rate, bytesPerSample);
    }

    private static short[] Convert(ReadOnlySpan<byte> data, WavFormat format)
    {
        var frameBytes = format.Channels * format.BytesPerSample;
        var frames = data.Length / frameBytes;
        var mono = new float[frames];
        for (var f = 0; f < frames; f++)
        {
            var frame = data.Slice(f * frameBytes, frameBytes);
            var sum = 0.0f;
            for (var c = 0; c < format.Channels; c++)
            {
                sum += ReadSample(frame.Slice(c * format.BytesPerSample, format.BytesPerSample), format.IsFloat);
            }

            mono[f] = sum / format.Channels;
        }

        return Pcm.ToInt16(LinearResampler.Resample(mono, format.SampleRate, AudioClip.SampleRate));
    }

    private static float ReadSample(ReadOnlySpan<byte> s, bool isFloat) => (isFloat, s.Length) switch
    {
        (true, 4) => BinaryPrimitives.ReadSingleLittleEndian(s),
        (true, _) => (float)BinaryPrimitives.ReadDoubleLittleEndian(s),
        (false, 1) => (s[0] - 128) / 128f,                       // 8-bit WAV is unsigned
        (false, 2) => BinaryPrimitives.ReadInt16LittleEndian(s) / 32768f,
        (false, 3) => ((s[2] << 24) | (s[1] << 16) | (s[0] << 8)) / 2147483648f, // sign from the top byte
        _ => BinaryPrimitives.ReadInt32LittleEndian(s) / 2147483648f,
    };

    private readonly record struct WavFormat(bool IsFloat, int Channels, int SampleRate, int BytesPerSample);
}

