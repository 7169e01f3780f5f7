using EdgeGateway.Hardware.Audio;
using EdgeGateway.Hardware.Relays;

namespace EdgeGateway.Broadcast.Internal;

/// <summary>
/// The silent self-test: each zone relay closed and opened with the amplifier unpowered; then the
/// amplifier powered with every zone open, every message loaded, and the test message played through
/// the sink at zero gain. Two independent reasons nothing reaches the horns: no signal, no zone.
/// </summary>
internal static class SilentSelfTest
{
    /// <summary>
    /// Runs the test with the settings it started with; each problem is added to <paramref name="problems"/> as it
    /// is found, so a test cut short still reports what it found. <paramref name="messagesChecked"/> receives the
    /// messages that cannot be played, for status. The relays are left for the caller to switch off.
    /// </summary>
    public static async Task RunAsync(
        BroadcastOutput output,
        BroadcastOptions options,
        MessageLibrary library,
        List<string> problems,
        Action<IReadOnlyList<string>> messagesChecked,
        CancellationToken cancellationToken)
    {
        var relays = output.Relays;
        foreach (var zone in options.Zones)
        {
            var relay = new ZoneRelay(zone.Id, zone.Pin);
            if (!output.TrySwitch("zone " + zone.Id, () => relays.Zone(relay, true), publish: false))
            {
                problems.Add($"zone {zone.Id} relay (GPIO {zone.Pin}) cannot be driven");
            }

            await output.Delay(options.RelayExercise, cancellationToken).ConfigureAwait(false);
            output.TrySwitch("zone " + zone.Id, () => relays.Zone(relay, false), publish: false);
        }

        if (!output.TrySwitch("amplifier", () => relays.Amplifier(true), publish: false))
        {
            problems.Add($"amplifier relay (GPIO {options.AmplifierPin}) cannot be driven");
        }

        await output.Delay(options.Warmup, cancellationToken).ConfigureAwait(false);
        var unplayable = await output.Loading(library.CheckAllAsync(cancellationToken)).ConfigureAwait(false);
        problems.AddRange(unplayable);
        messagesChecked(unplayable);

        AudioClip clip;
        try
        {
            clip = await output.Loading(library.LoadMessageAsync(BroadcastOptions.TestMessage, cancellationToken)).ConfigureAwait(false);
        }
        catch (ClipUnavailableException)
        {
            clip = output.Siren; // already counted above; still exercise the path
        }

        try
        {
            await output.Bounded(output.Sink.PlayAsync(clip, muted: true, cancellationToken), clip.Duration).ConfigureAwait(false);
        }
        catch (AudioDeviceException ex)
        {
            problems.Add("audio path: " + ex.Message);
        }

        await output.Delay(options.Tail, cancellationToken).ConfigureAwait(false);
    }
}
