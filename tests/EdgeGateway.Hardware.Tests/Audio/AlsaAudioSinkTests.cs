using EdgeGateway.Hardware.Audio;
using EdgeGateway.Hardware.Tests.Testing;

namespace EdgeGateway.Hardware.Tests.Audio;

/// <summary>Real aplay (alsa-utils). The machine has no sound card: ALSA's "null" PCM accepts audio and discards it.</summary>
public sealed class AlsaAudioSinkTests
{
    [Fact]
    public async Task PlayAsync_NullDevice_AplaySucceeds()
    {
        var sink = new AlsaAudioSink("null", TimeProvider.System);

        await sink.PlayAsync(Tones.Sine(440, TimeSpan.FromSeconds(1)), muted: false, CancellationToken.None);
        await sink.PlayAsync(Tones.Sine(440, TimeSpan.FromSeconds(1)), muted: true, CancellationToken.None);

        Assert.Equal("alsa:null", sink.Description);
    }

    [Fact]
    public async Task PlayAsync_UnknownDevice_ThrowsWithAplaysMessage()
    {
        var sink = new AlsaAudioSink("no-such-pcm-device", TimeProvider.System);

        var ex = await Assert.ThrowsAsync<AudioDeviceException>(() => sink.PlayAsync(Tones.Sine(440, TimeSpan.FromSeconds(0.2)), false, CancellationToken.None));

        Assert.Contains("exited with code 1", ex.Message, StringComparison.Ordinal);
        Assert.Contains("no-such-pcm-device", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PlayAsync_PlayerMissing_ThrowsDeviceError()
    {
        var sink = new AlsaAudioSink("default", TimeProvider.System, player: "/nonexistent/aplay");

        var ex = await Assert.ThrowsAsync<AudioDeviceException>(() => sink.PlayAsync(Tones.Sine(440, TimeSpan.FromSeconds(0.2)), false, CancellationToken.None));

        Assert.Contains("alsa-utils", ex.Message, StringComparison.Ordinal);
    }
}
