using EdgeGateway.Hardware.Audio;
using EdgeGateway.Hardware.Tests.Testing;

namespace EdgeGateway.Broadcast.Tests;

/// <summary>The one check every broadcast asked for by a person or the hub passes, with real espeak-ng.</summary>
public sealed class BroadcastValidatorTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private MessageLibrary Library(string espeak = "espeak-ng")
    {
        var options = new BroadcastOptions { SpeechCacheDirectory = _dir.File("speech") };
        options.Messages["evacuate"] = new MessageOptions(File: Tones.WriteSine(_dir.File("evacuate.wav"), 440, TimeSpan.FromSeconds(1)));
        options.Messages["test"] = new MessageOptions(Text: "这是一次应急广播测试。", Voice: "cmn");
        return new MessageLibrary(options, new SpeechRenderer(_dir.File("speech"), espeak));
    }

    [Theory]
    [InlineData("evacuaet", null, null, BroadcastValidator.UnknownMessage)]
    [InlineData(null, "河水上涨", "zz", BroadcastValidator.BadVoice)]
    [InlineData(null, "河水上涨", "en-gb-x-nosuch", BroadcastValidator.BadVoice)]
    [InlineData(null, "long", null, BroadcastValidator.TextTooLong)]
    public async Task CheckAsync_CannotBePlayedAsAsked_RefusedWithItsCode(string? message, string? text, string? voice, string code)
    {
        var request = message is not null
            ? BroadcastRequest.ForMessage(message)
            : BroadcastRequest.ForText(text == "long" ? new string('水', SpeechRenderer.MaxTextLength + 1) : text!, voice);

        var refusal = await BroadcastValidator.CheckAsync(Library(), request, CancellationToken.None);

        Assert.Equal(code, refusal?.Code);
    }

    [Theory]
    [InlineData("cmn")]
    [InlineData("zh")]
    [InlineData("en-us")]
    [InlineData("en+f3")]
    [InlineData("yue")]
    public async Task CheckAsync_VoiceEspeakHas_AcceptedAndTheTextNotKeptOnDisk(string voice)
    {
        var library = Library();
        Assert.Null(await BroadcastValidator.CheckAsync(library, BroadcastRequest.ForText("river", voice), CancellationToken.None));
        // Rendered to judge it, but a person's or the hub's text is never kept in the speech cache.
        var speech = _dir.File("speech");
        Assert.Empty(Directory.Exists(speech) ? Directory.GetFiles(speech) : []);
    }

    [Fact]
    public async Task CheckAsync_EspeakMissing_SpokenRequestsRefusedFilesAndSilentTestPass()
    {
        var library = Library(_dir.File("no-such-espeak-ng"));

        Assert.Equal(BroadcastValidator.SpeechUnavailable, (await BroadcastValidator.CheckAsync(library, BroadcastRequest.TestOf(silent: false), CancellationToken.None))?.Code);
        Assert.Equal(BroadcastValidator.SpeechUnavailable, (await BroadcastValidator.CheckAsync(library, BroadcastRequest.ForText("河水上涨"), CancellationToken.None))?.Code);
        Assert.Equal(BroadcastValidator.SpeechUnavailable, (await BroadcastValidator.CheckAsync(library, BroadcastRequest.ForText("河水上涨", "cmn"), CancellationToken.None))?.Code);
        Assert.Null(await BroadcastValidator.CheckAsync(library, BroadcastRequest.ForMessage("evacuate"), CancellationToken.None));
        Assert.Null(await BroadcastValidator.CheckAsync(library, BroadcastRequest.TestOf(silent: true), CancellationToken.None));
    }
}
