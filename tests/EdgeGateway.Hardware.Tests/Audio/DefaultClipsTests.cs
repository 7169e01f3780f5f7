using EdgeGateway.Hardware.Audio;
using EdgeGateway.Hardware.Tests.Testing;

namespace EdgeGateway.Hardware.Tests.Audio;

/// <summary>scripts/make-clips.sh: the default Mandarin clips made from audio/clips.txt.</summary>
public sealed class DefaultClipsTests
{
    [Fact]
    public async Task MakeClips_IntoDirectory_WritesFourSpokenClipsTheGatewayCanPlay()
    {
        using var dir = new TempDirectory();
        var root = RepositoryRoot.Path;

        var (code, stdout, error) = await TestProcess.RunAsync(Path.Combine(root, "scripts", "make-clips.sh"), dir.Path);

        Assert.True(code == 0, error);
        Assert.Equal(4, stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        foreach (var id in new[] { "prepare", "evacuate", "all-clear", "test" })
        {
            var clip = WavFile.Read(Path.Combine(dir.Path, id + ".wav"), id);
            Assert.InRange(clip.Duration, TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(40));
            Assert.Contains(Timeline.Segments(clip.Samples.Span), s => s.Sound && s.Peak > 5_000);
        }

        var texts = await File.ReadAllLinesAsync(Path.Combine(root, "audio", "clips.txt"));
        Assert.Contains(texts, l => l.StartsWith("test|", StringComparison.Ordinal) && l.Contains("测试", StringComparison.Ordinal));
    }

    [Fact]
    public async Task MakeClips_NoArguments_ExitsWithUsage()
    {
        var (code, _, error) = await TestProcess.RunAsync(Path.Combine(RepositoryRoot.Path, "scripts", "make-clips.sh"));

        Assert.Equal(2, code);
        Assert.Contains("usage:", error, StringComparison.Ordinal);
    }
}
