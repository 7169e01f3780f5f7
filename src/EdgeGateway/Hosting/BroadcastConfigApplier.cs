using EdgeGateway.Configuration;
using EdgeGateway.Broadcast;
using EdgeGateway.Hosting.Reload;

namespace EdgeGateway.Hosting;

/// <summary>
/// Applies a reloaded <c>broadcast</c> section (and the broadcasts of <c>alerting.levels</c> and <c>allClear</c>)
/// live, for the next request: the broadcast playing finishes as it began. The audio device is opened at start and
/// the relay lines are claimed at start: a change of either is refused with the reason, and the settings in force
/// stay until the next restart.
/// </summary>
internal sealed class BroadcastConfigApplier(BroadcastController controller, StationConfig started) : IConfigApplier
{
    private readonly AudioConfig _audio = started.Broadcast?.Audio ?? new AudioConfig();

    public string Name => "broadcast";

    public IReadOnlyCollection<string> Sections { get; } = ["broadcast", "alerting"];

    public Task ApplyAsync(StationConfig previous, StationConfig current, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(current);
        if (current.Broadcast is not { } broadcast)
        {
            throw new InvalidOperationException(
                "the broadcast section was removed: the broadcaster stops at the next restart and runs as before until then");
        }

        if (Describe(broadcast.Audio) != Describe(_audio))
        {
            throw new InvalidOperationException(
                $"broadcast.audio changed ({Describe(_audio)} -> {Describe(broadcast.Audio)}): the audio output is opened at start "
                + "and changes at the next restart; the broadcast settings in force are unchanged");
        }

        var next = BroadcastMapping.FromConfig(current)!;
        controller.Reconfigure(next);
        return Task.CompletedTask;
    }

    private static string Describe(AudioConfig audio) => audio.Sink switch
    {
        AudioSinkKind.File => $"file {audio.Path}",
        AudioSinkKind.Alsa => $"alsa {audio.Device}",
        _ => "none",
    };
}
