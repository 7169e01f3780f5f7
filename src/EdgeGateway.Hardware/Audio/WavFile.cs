using System.Buffers.Binary;
using EdgeGateway.Hardware.Internal;

namespace EdgeGateway.Hardware.Audio;

/// <summary>
/// Reads RIFF/WAVE files into <see cref="AudioClip"/>s and writes the canonical 44-byte-header form.
/// Accepted: integer PCM of 8 or 16 bits (also inside WAVE_FORMAT_EXTENSIBLE), 8-48 kHz, 1-8 channels, at
/// most <see cref="MaxDuration"/>; channels are averaged to mono and the rate is converted to
/// <see cref="AudioClip.SampleRate"/>. A data chunk whose size is 0 or 0xFFFFFFFF (a writer that streamed and
/// never came back to fix the header) or runs past the end of the file is read to the end.
/// </summary>
/// <remarks>
/// Everything is judged from the header before any sample is read or any buffer sized: a few bytes must
/// not be able to ask for gigabytes (a 4 KB file claiming 1 Hz once decoded to an hour of audio at every
/// start). Samples are then converted as they stream in, so memory is the output clip and one read buffer.
/// </remarks>
public static class WavFile
{
    /// <summary>Size of the canonical header written by <see cref="WriteHeader"/>.</summary>
    public const int HeaderSize = 44;

    /// <summary>Lowest sample rate accepted (telephone-band speech).</summary>
    public const int MinSampleRate = 8_000;

    /// <summary>Highest sample rate accepted.</summary>
    public const int MaxSampleRate = 48_000;

    /// <summary>Most channels accepted (they are mixed to mono).</summary>
    public const int MaxChannels = 8;

    /// <summary>Longest clip accepted: a warning is spoken in well under a minute.</summary>
    public static readonly TimeSpan MaxDuration = TimeSpan.FromMinutes(10);

    private const ushort FormatPcm = 1;
    private const ushort FormatExtensible = 0xFFFE;
    private const int ReadBufferBytes = 64 * 1024;

    /// <summary>Loads and normalises a WAV file.</summary>
    /// <exception cref="InvalidDataException">Not a WAV file, or one outside the accepted formats and limits.</exception>
    /// <exception cref="IOException">The file cannot be read.</exception>
    public static AudioClip Read(string path, string name)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1, FileOptions.SequentialScan);
        return Read(stream, name);
    }

    /// <summary>Decodes a whole WAV image (see the type's remarks for what is accepted).</summary>
    public static AudioClip Decode(ReadOnlySpan<byte> wav, string name)
    {
        using var stream = new MemoryStream(wav.ToArray(), writable: false);
        return Read(stream, name);
    }

    /// <summary>Judges a WAV file from its header alone: what it holds, or why it would be refused.</summary>
    /// <exception cref="InvalidDataException">Not a WAV file, or one outside the accepted formats and limits.</exception>
    /// <exception cref="IOException">The file cannot be read.</exception>
    public static WavInfo Inspect(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1);
        return Inspect(stream);
    }

    /// <summary>Judges a seekable WAV stream from its header; leaves the position at the first sample.</summary>
    /// <exception cref="InvalidDataException">Not a WAV file, or one outside the accepted formats and limits.</exception>
    public static WavInfo Inspect(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        Span<byte> head = stackalloc byte[12];
        if (!TryFill(stream, head) || !head[..4].SequenceEqual("RIFF"u8) || !head.Slice(8, 4).SequenceEqual("WAVE"u8))
        {
            throw new InvalidDataException("not a RIFF/WAVE file");
        }

        WavInfo? format = null;
        var length = stream.Length;
        var position = 12L;
        Span<byte> chunk = stackalloc byte[8];
        Span<byte> fmt = stackalloc byte[40];
        while (position + 8 <= length)
        {
            stream.Position = position;
            if (!TryFill(stream, chunk))
            {
                break;
            }

            var size = BinaryPrimitives.ReadUInt32LittleEndian(chunk[4..]);
            var body = position + 8;
            if (chunk[..4].SequenceEqual("fmt "u8))
            {
                var take = (int)Math.Min(Math.Min(size, (uint)fmt.Length), length - body);
                if (size < 16 || take < 16 || !TryFill(stream, fmt[..take]))
                {
                    throw new InvalidDataException("truncated fmt chunk");
                }

                format = ParseFormat(fmt[..take], size);
            }
            else if (chunk[..4].SequenceEqual("data"u8))
            {
                if (format is not { } f)
                {
                    throw new InvalidDataException("data chunk before fmt chunk");
                }

                var available = length - body;
                var bytes = size == 0 || size == uint.MaxValue || size > available ? available : size;
                var frames = bytes / f.BlockAlign;
                var duration = TimeSpan.FromSeconds((double)frames / f.SampleRate);
                if (duration > MaxDuration)
                {
                    throw new InvalidDataException($"{duration.TotalMinutes:0.#} minutes of audio; at most {MaxDuration.TotalMinutes:0} are accepted");
                }

                stream.Position = body;
                return f with { DataOffset = body, Frames = frames };
            }

            // Chunks are word aligned: an odd-sized chunk is followed by a pad byte.
            position = body + size + (size & 1);
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

    private static WavInfo ParseFormat(ReadOnlySpan<byte> fmt, uint declaredSize)
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
            if (declaredSize < 26 || fmt.Length < 26)
            {
                throw new InvalidDataException("truncated WAVE_FORMAT_EXTENSIBLE fmt chunk");
            }

            tag = BinaryPrimitives.ReadUInt16LittleEndian(fmt[24..]);
        }

        if (tag != FormatPcm || bits is not (8 or 16))
        {
            throw new InvalidDataException($"unsupported WAV encoding: format tag {tag}, {bits} bits (8- or 16-bit PCM is accepted)");
        }

        if (rate is < MinSampleRate or > MaxSampleRate)
        {
            throw new InvalidDataException($"sample rate {rate} Hz; {MinSampleRate}-{MaxSampleRate} Hz is accepted");
        }

        if (channels is 0 or > MaxChannels)
        {
            throw new InvalidDataException($"{channels} channels; 1-{MaxChannels} are accepted");
        }

        var bytesPerSample = bits / 8;
        if (blockAlign != channels * bytesPerSample)
        {
            throw new InvalidDataException($"inconsistent block align {blockAlign} for {channels} x {bits} bits");
        }

        return new WavInfo((int)rate, channels, bits, 0, 0);
    }

    private static AudioClip Read(Stream stream, string name)
    {
        var info = Inspect(stream);
        var step = (double)info.SampleRate / AudioClip.SampleRate;
        var output = new short[checked((int)(info.Frames * AudioClip.SampleRate / info.SampleRate))];
        var buffer = new byte[Math.Max(info.BlockAlign, ReadBufferBytes / info.BlockAlign * info.BlockAlign)];
        var bytesPerSample = info.BitsPerSample / 8;

        // Linear interpolation as the frames stream past: output sample i sits at input position i * step,
        // between frames k-1 and k; it is written once frame k is known, so only the previous frame is kept.
        var emitted = 0;
        var previous = 0f;
        var frame = 0L;
        var remaining = info.Frames * info.BlockAlign;
        while (remaining > 0)
        {
            var want = (int)Math.Min(buffer.Length, remaining);
            var got = FillSome(stream, buffer.AsSpan(0, want));
            if (got < info.BlockAlign)
            {
                break;
            }

            remaining -= got;
            for (var offset = 0; offset + info.BlockAlign <= got; offset += info.BlockAlign, frame++)
            {
                var sum = 0f;
                for (var c = 0; c < info.Channels; c++)
                {
                    sum += ReadSample(buffer.AsSpan(offset + (c * bytesPerSample), bytesPerSample));
                }

                var value = sum / info.Channels;
                if (frame > 0)
                {
                    while (emitted < output.Length && (long)(emitted * step) <= frame - 1)
                    {
                        var position = emitted * step;
                        var fraction = (float)(position - (long)position);
                        output[emitted++] = Pcm.ToInt16(previous + ((value - previous) * fraction));
                    }
                }

                previous = value;
            }
        }

        // Positions at or past the last frame repeat it.
        while (emitted < output.Length)
        {
            output[emitted++] = Pcm.ToInt16(previous);
        }

        return new AudioClip(name, output);
    }

    // Fills as much of the buffer as the stream has, whole frames at a time from the caller's view.
    private static int FillSome(Stream stream, Span<byte> buffer)
    {
        var filled = 0;
        int n;
        while (filled < buffer.Length && (n = stream.Read(buffer[filled..])) > 0)
        {
            filled += n;
        }

        return filled;
    }

    private static bool TryFill(Stream stream, Span<byte> buffer) => FillSome(stream, buffer) == buffer.Length;

    private static float ReadSample(ReadOnlySpan<byte> s) => s.Length == 1
        ? (s[0] - 128) / 128f                                   // 8-bit WAV is unsigned
        : BinaryPrimitives.ReadInt16LittleEndian(s) / 32768f;
}

/// <summary>What a WAV file's header says: enough to judge it before reading a sample.</summary>
/// <param name="SampleRate">Frames per second.</param>
/// <param name="Channels">Samples per frame.</param>
/// <param name="BitsPerSample">8 or 16.</param>
/// <param name="DataOffset">Where the first sample is in the file.</param>
/// <param name="Frames">How many whole frames the data holds (to the end of the file for a streamed header).</param>
public readonly record struct WavInfo(int SampleRate, int Channels, int BitsPerSample, long DataOffset, long Frames)
{
    public int BlockAlign => Channels * BitsPerSample / 8;

    public TimeSpan Duration => TimeSpan.FromSeconds((double)Frames / SampleRate);
}
