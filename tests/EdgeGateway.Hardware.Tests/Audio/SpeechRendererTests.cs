using EdgeGateway.Hardware.Audio;
using EdgeGateway.Hardware.Tests.Testing;

namespace EdgeGateway.Hardware.Tests.Audio;

/// <summary>Real espeak-ng with its Mandarin voice.</summary>
public sealed class SpeechRendererTests
{
    [Fact]
    public async Task RenderAsync_MandarinText_ProducesSpeechAndCachesIt()
    {
        using var dir = new TempDirectory();
        var speech = new SpeechRenderer(dir.Path);

        var path = await speech.RenderAsync("请注意，这是一次应急广播测试。", "cmn", CancellationToken.None);
        var written = File.GetLastWriteTimeUtc(path);
        var again = await speech.RenderAsync("请注意，这是一次应急广播测试。", "cmn", CancellationToken.None);

        Assert.Equal(path, again);
        Assert.Equal(written, File.GetLastWriteTimeUtc(again));
        var clip = WavFile.Read(path, "say");
        Assert.InRange(clip.Duration, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(10));
        Assert.Contains(Timeline.Segments(clip.Samples.Span), s => s.Sound && s.Peak > 5_000);
        Assert.Single(Directory.GetFiles(dir.Path));
    }

    [Fact]
    public async Task EspeakVoice_Mandarin_UsesThePinyinVoiceThatReadsCharactersWithTones()
    {
        Assert.Equal("cmn-latn-pinyin", SpeechRenderer.EspeakVoice("cmn"));
        Assert.Equal("en-us", SpeechRenderer.EspeakVoice("en-us"));

        // What the gateway asks espeak-ng for says 这是 as zhe4 shi4, with Mandarin tone marks, not in English.
        var (code, phonemes, error) = await TestProcess.RunAsync("espeak-ng", "-q", "-x", "-v", SpeechRenderer.EspeakVoice("cmn"), "这是一次应急广播测试");
        Assert.True(code == 0, error);
        Assert.DoesNotContain("(en)", phonemes, StringComparison.Ordinal);
        Assert.StartsWith("ts.'o-51_| s.'i.51_|", phonemes.Trim(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task RenderAsync_TextLooksLikeAnOption_IsSpokenNotParsed()
    {
        using var dir = new TempDirectory();
        var speech = new SpeechRenderer(dir.Path);

        var path = await speech.RenderAsync("--help", null, CancellationToken.None);

        Assert.True(WavFile.Read(path, "say").Samples.Length > 0);
    }

    [Theory]
    [InlineData("-w /etc/passwd")]
    [InlineData("")]
    [InlineData("cmn;rm")]
    public async Task RenderAsync_BadVoiceName_Refused(string voice)
    {
        using var dir = new TempDirectory();

        await Assert.ThrowsAsync<ClipUnavailableException>(() => new SpeechRenderer(dir.Path).RenderAsync("测试", voice, CancellationToken.None));
    }

    [Fact]
    public async Task RenderAsync_UnknownVoice_FailsWithEspeaksMessageAndLeavesNoFile()
    {
        using var dir = new TempDirectory();

        var ex = await Assert.ThrowsAsync<ClipUnavailableException>(() => new SpeechRenderer(dir.Path).RenderAsync("测试", "xx-nonexistent", CancellationToken.None));

        Assert.Contains("does not exist", ex.Message, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(dir.Path));
    }
}
