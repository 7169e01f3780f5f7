using EdgeGateway.Configuration;
using EdgeGateway.Hardware.Audio;
using EdgeGateway.Broadcast;
using EdgeGateway.Hardware.Gpio;
using EdgeGateway.Hosting;
using EdgeGateway.Tests.TestSupport;
using Microsoft.Extensions.Logging.Abstractions;

namespace EdgeGateway.Tests.Hosting;

/// <summary>A reloaded <c>broadcast</c> section handed to the broadcaster, or refused with the reason.</summary>
public sealed class BroadcastConfigApplierTests : IDisposable
{
    private readonly StationConfig _config = ExampleConfig.Valid();
    private readonly GpioSetup _gpio = GpioControllerFactory.Create(new GpioHardwareOptions(Simulated: true), TimeProvider.System);
    private readonly BroadcastController _controller;
    private readonly BroadcastConfigApplier _applier;

    public BroadcastConfigApplierTests()
    {
        var options = BroadcastMapping.FromConfig(_config)!;
        _controller = new BroadcastController(options, _gpio.Controller, new NullAudioSink(TimeProvider.System),
            new MessageLibrary(options, new SpeechRenderer(options.SpeechCacheDirectory)), new RecordingSinks(), TimeProvider.System,
            NullLogger<BroadcastController>.Instance);
        _applier = new BroadcastConfigApplier(_controller, _config);
    }

    public void Dispose()
    {
        _controller.Dispose();
        _gpio.Dispose();
    }

    private static StationConfig Edited(string from, string to) => ExampleConfig.Valid((from, to));

    [Fact]
    public async Task ApplyAsync_MessageAdded_TheBroadcasterKnowsItAtOnce()
    {
        Assert.False(_controller.Messages.Knows("dam-release"));

        await _applier.ApplyAsync(_config, Edited(
            "    all-clear: { file: /etc/edge-gateway/audio/all-clear.wav }\n",
            "    all-clear: { file: /etc/edge-gateway/audio/all-clear.wav }\n    dam-release: { text: \"upstream dam release\", voice: en }\n"), CancellationToken.None);

        Assert.True(_controller.Messages.Knows("dam-release"));
        Assert.Contains(_applier.Sections, s => s == "broadcast");
    }

    [Fact]
    public async Task ApplyAsync_AudioDeviceChanged_RefusedNamingBothAndTheMessagesInForceStay()
    {
        // A new message in the same file as the new device: neither is taken.
        var withMessage = ExampleConfig.Valid(
            ("audio: { sink: alsa, device: default }", "audio: { sink: alsa, device: \"hw:1,0\" }"),
            ("    all-clear: { file: /etc/edge-gateway/audio/all-clear.wav }\n", "    all-clear: { file: /etc/edge-gateway/audio/all-clear.wav }\n    dam-release: { text: \"dam\" }\n"));

        var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => _applier.ApplyAsync(_config, withMessage, CancellationToken.None));

        Assert.Contains("alsa default -> alsa hw:1,0", refused.Message, StringComparison.Ordinal);
        Assert.Contains("next restart", refused.Message, StringComparison.Ordinal);
        Assert.False(_controller.Messages.Knows("dam-release"));
    }

    [Fact]
    public async Task ApplyAsync_ZoneRelayMoved_Refused()
    {
        var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => _applier.ApplyAsync(_config,
            Edited("zones: [ { id: village, gpio: 6 } ]", "zones: [ { id: village, gpio: 16 } ]"), CancellationToken.None));

        Assert.Contains("village 6 -> ", refused.Message, StringComparison.Ordinal);
    }
}
