using System.Buffers.Binary;
using EdgeGateway.Hardware.Audio;
using EdgeGateway.Hardware.Tests.Testing;

namespace EdgeGateway.Hardware.Tests.Audio;

public sealed class WavFileTests
{
    [Theory]
    [InlineData(44100, 2, "-b", "24", "")]
    [InlineData(22050, 1, "-b", "16", "")]
    [InlineData(48000, 2, "-b", "32", "-e floating-point")]
    [InlineData(8000, 1, "-b", "8", "")]
    [InlineData(16000, 6, "-b", "16", "")]
    public async Task Read_SoxMadeFile_NormalisesTo16kMonoKeepingDurationAndPitch(int rate, int channels, string bitsFlag, string bits, string encoding)
    {
        using var dir = new TempDir();
        var path = dir.File("tone.wav");
        var args = new List<string> { "-n", "-r", rate.ToString(System.Globalization.CultureInfo.InvariantCulture), "-c", channels.ToString(System.Globalization.CultureInfo.InvariantCulture), bitsFlag, bits };
        args.AddRange(encoding.Split(' ', StringSplitOptions.RemoveEmptyEntries));
        args.AddRange([path, "synth", "1.25", "sine", "500", "vol", "0.5"]);
        var (code, _, error) = await Tools.RunAsync("sox", [.. args]);
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
        using var dir = new TempDir();
        var path = dir.File("adpcm.wav");
        var (code, _, error) = await Tools.RunAsync("sox", "-n", "-r", "8000", "-c", "1", "-e", "ima-adpcm", path, "synth", "0.2", "sine", "440");
        Assert.True(code == 0, error);

        var ex = Assert.Throws<InvalidDataException>(() => WavFile.Read(path, "adpcm"));
        Assert.Contains("unsupported WAV encoding", ex.Message, StringComparison.Ordinal);
    }
}
