using EdgeGateway.Hardware.Audio;
using EdgeGateway.Hardware.Tests.Testing;

namespace EdgeGateway.Broadcast.Tests;

/// <summary>The speech cache keeps configured texts only, and never more than its cap (real espeak-ng).</summary>
public sealed class SpeechCacheTests
{
    [Fact]
    public async Task RenderOnceAsync_OperatorText_SpokenAndNothingLeftOnDisk()
    {
        using var dir = new TempDirectory();
        var speech = new SpeechRenderer(dir.Path);

        var clip = await speech.RenderOnceAsync("say", "Testing one two three.", "en", CancellationToken.None);

        Assert.InRange(clip.Duration, TimeSpan.FromSeconds(0.5), TimeSpan.FromSeconds(10));
        Assert.Contains(Timeline.Segments(clip.Samples.Span), s => s.Sound);
        Assert.Empty(Directory.GetFiles(dir.Path));
    }

    [Fact]
    public async Task LoadAsync_SayRequest_NotCachedConfiguredTextCached()
    {
        using var dir = new TempDirectory();
        var options = new BroadcastOptions { SpeechCacheDirectory = dir.Path };
        options.Messages["evacuate"] = new MessageOptions(null, "Leave now.", "en");
        var library = new MessageLibrary(options, new SpeechRenderer(dir.Path));

        await library.LoadAsync(BroadcastRequest.ForText("Hub text, not to be kept.", "en"), CancellationToken.None);
        Assert.Empty(Directory.GetFiles(dir.Path));
        await library.LoadMessageAsync("evacuate", CancellationToken.None);

        Assert.Single(Directory.GetFiles(dir.Path, "say-*.wav"));
    }

    [Fact]
    public async Task RenderAsync_CacheOverItsCap_OldestEvictedNewestKept()
    {
        using var dir = new TempDirectory();
        var first = await new SpeechRenderer(dir.Path).RenderAsync("One.", "en", CancellationToken.None);
        var size = new FileInfo(first).Length;
        File.SetLastWriteTimeUtc(first, new DateTime(2020, 1, 1, 0, 0, 0, DateTimeKind.Utc));
        var speech = new SpeechRenderer(dir.Path, maxCacheBytes: size + 1);

        var second = await speech.RenderAsync("Two, a little longer.", "en", CancellationToken.None);

        Assert.False(File.Exists(first));
        Assert.True(File.Exists(second));
        Assert.Single(Directory.GetFiles(dir.Path));
    }
}
