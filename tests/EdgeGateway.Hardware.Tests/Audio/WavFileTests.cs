using System.Buffers.Binary;
using EdgeGateway.Hardware.Audio;
using EdgeGateway.Hardware.Tests.Testing;

namespace EdgeGateway.Hardware.Tests.Audio;

public sealed class WavFileTests
{
    [Theory]
    [InlineData(44100, 2, "-b", "16", "")]
    [InlineData(22050, 1, "-b", "16", "")]
    [InlineData(48000, 2, "-b", "16", "")]
    [InlineData(8000, 1, "-b", "8", "")]
    [InlineData(16000, 6, "-b", "16", "")]
    public async Task Read_SoxMadeFile_NormalisesTo16kMonoKeepingDurationAndPitch(int rate, int channels, string bitsFlag, string bits, string encoding)
    {
        using var dir = new TempDirectory();
        var path = dir.File("tone.wav");
        var args = new List<string> { "-n", "-r", rate.ToString(System.Globalization.CultureInfo.InvariantCulture), "-c", channels.ToString(System.Globalization.CultureInfo.InvariantCulture), bitsFlag, bits };
        args.AddRange(encoding.Split(' ', StringSplitOptions.RemoveEmptyEntries));
        args.AddRange([path, "synth", "1.25", "sine", "500", "vol", "0.5"]);
        var (code, _, error) = await TestProcess.RunAsync("sox", [.. args]);
        Assert.True(code == 0, error);

        var clip = WavFile.Read(path, "tone");

        Assert.InRange(clip.Samples.Length, 19_990, 20_010); // 1.25 s at 16 kHz
        var sound = Assert.Single(Timeline.Segments(clip.Samples.Span), s => s.Sound);
        Assert.InRange(sound.FrequencyHz, 495, 505);
        Assert.InRange(sound.Peak, 15_000, 17_500);
    }

    [Fact]
    public void Decode_StreamedHeaderWithUnknownDataSize_ReadsToEndOfFile()
    {
        var clip = Tones.Sine(440, TimeSpan.FromSeconds(0.5));
        var bytes = new byte[WavFile.HeaderSize + (clip.Samples.Length * 2)];
        WavFile.WriteHeader(bytes, uint.MaxValue);
        WavFile.PcmBytes(clip.Samples.Span).CopyTo(bytes.AsSpan(WavFile.HeaderSize));

        var decoded = WavFile.Decode(bytes, "streamed");

        Assert.Equal(clip.Samples.ToArray(), decoded.Samples.ToArray());
    }

    [Fact]
    public void Decode_ExtraChunkBeforeData_IsSkipped()
    {
        var clip = Tones.Sine(440, TimeSpan.FromSeconds(0.1));
        var header = new byte[WavFile.HeaderSize];
        WavFile.WriteHeader(header, (uint)(clip.Samples.Length * 2));
        // RIFF WAVE fmt(24) LIST(3 bytes + pad) data
        var list = new byte[8 + 4];
        "LIST"u8.CopyTo(list);
        BinaryPrimitives.WriteUInt32LittleEndian(list.AsSpan(4), 3);
        var bytes = header[..36].Concat(list).Concat(header[36..]).Concat(WavFile.PcmBytes(clip.Samples.Span)).ToArray();

        var decoded = WavFile.Decode(bytes, "with-list");

        Assert.Equal(clip.Samples.Length, decoded.Samples.Length);
    }

    [Theory]
    [InlineData("not a wav at all, just some text")]
    [InlineData("RIFF\0\0\0\0WAVEdata\0\0\0\0")]
    public void Decode_Garbage_ThrowsInvalidData(string content)
    {
        Assert.Throws<InvalidDataException>(() => WavFile.Decode(System.Text.Encoding.ASCII.GetBytes(content), "bad"));
    }

    [Fact]
    public async Task Decode_AdpcmEncoding_ThrowsNamingTheFormat()
    {
        using var dir = new TempDirectory();
        var path = dir.File("adpcm.wav");
        var (code, _, error) = await TestProcess.RunAsync("sox", "-n", "-r", "8000", "-c", "1", "-e", "ima-adpcm", path, "synth", "0.2", "sine", "440");
        Assert.True(code == 0, error);

        var ex = Assert.Throws<InvalidDataException>(() => WavFile.Read(path, "adpcm"));
        Assert.Contains("unsupported WAV encoding", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("-b 24", "24 bits")]
    [InlineData("-b 32 -e floating-point", "format tag 3")]
    public async Task Read_EncodingOtherThan8Or16BitPcm_RefusedNamingIt(string encoding, string named)
    {
        using var dir = new TempDirectory();
        var path = dir.File("wide.wav");
        var args = new List<string> { "-n", "-r", "16000", "-c", "1" };
        args.AddRange(encoding.Split(' '));
        args.AddRange([path, "synth", "0.2", "sine", "440"]);
        var (code, _, error) = await TestProcess.RunAsync("sox", [.. args]);
        Assert.True(code == 0, error);

        var ex = Assert.Throws<InvalidDataException>(() => WavFile.Read(path, "wide"));

        Assert.Contains(named, ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(1u, "sample rate 1 Hz")]
    [InlineData(7_999u, "sample rate 7999 Hz")]
    [InlineData(96_000u, "sample rate 96000 Hz")]
    public void Inspect_RateOutside8To48kHz_RefusedFromTheHeader(uint rate, string named)
    {
        var wav = Header(rate, channels: 1, bits: 16, dataBytes: uint.MaxValue - 64, extra: 4096);

        var ex = Assert.Throws<InvalidDataException>(() => WavFile.Decode(wav, "bomb"));

        Assert.Contains(named, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Decode_ElevenMinutes_RefusedTenMinutesRead()
    {
        var tooLong = Header(8000, channels: 1, bits: 8, dataBytes: 11 * 60 * 8000, extra: 11 * 60 * 8000);
        var limit = Header(8000, channels: 1, bits: 8, dataBytes: 10 * 60 * 8000, extra: 10 * 60 * 8000);

        var ex = Assert.Throws<InvalidDataException>(() => WavFile.Decode(tooLong, "long"));
        var clip = WavFile.Decode(limit, "limit");

        Assert.Contains("11 minutes", ex.Message, StringComparison.Ordinal);
        Assert.Equal(TimeSpan.FromMinutes(10), clip.Duration);
    }

    [Fact]
    public void Inspect_DataSizeBeyondTheFile_JudgedOnWhatTheFileHolds()
    {
        var wav = Header(16000, channels: 1, bits: 16, dataBytes: 2_000_000_000, extra: 3200);

        using var stream = new MemoryStream(wav);
        var info = WavFile.Inspect(stream);

        Assert.Equal(1600, info.Frames);
        Assert.Equal(TimeSpan.FromMilliseconds(100), info.Duration);
    }

    [Fact]
    public void Decode_8kHzRamp_InterpolatedBetweenFrames()
    {
        // 8-bit unsigned: 128 = 0, 160 = 0.25; at 16 kHz every other sample lies half way.
        var wav = Header(8000, channels: 1, bits: 8, dataBytes: 3, extra: 0).Concat(new byte[] { 128, 160, 128 }).ToArray();

        var clip = WavFile.Decode(wav, "ramp");

        Assert.Equal(new short[] { 0, 4096, 8192, 4096, 0, 0 }, clip.Samples.ToArray());
    }

    private static byte[] Header(uint rate, ushort channels, ushort bits, uint dataBytes, int extra)
    {
        var wav = new byte[WavFile.HeaderSize + extra];
        "RIFF"u8.CopyTo(wav);
        BinaryPrimitives.WriteUInt32LittleEndian(wav.AsSpan(4), 36 + dataBytes);
        "WAVEfmt "u8.CopyTo(wav.AsSpan(8));
        BinaryPrimitives.WriteUInt32LittleEndian(wav.AsSpan(16), 16);
        BinaryPrimitives.WriteUInt16LittleEndian(wav.AsSpan(20), 1);
        BinaryPrimitives.WriteUInt16LittleEndian(wav.AsSpan(22), channels);
        BinaryPrimitives.WriteUInt32LittleEndian(wav.AsSpan(24), rate);
        BinaryPrimitives.WriteUInt32LittleEndian(wav.AsSpan(28), rate * channels * bits / 8u);
        BinaryPrimitives.WriteUInt16LittleEndian(wav.AsSpan(32), (ushort)(channels * bits / 8));
        BinaryPrimitives.WriteUInt16LittleEndian(wav.AsSpan(34), bits);
        "data"u8.CopyTo(wav.AsSpan(36));
        BinaryPrimitives.WriteUInt32LittleEndian(wav.AsSpan(40), dataBytes);
        if (bits == 8)
        {
            wav.AsSpan(WavFile.HeaderSize).Fill(128);
        }

        return wav;
    }
}
