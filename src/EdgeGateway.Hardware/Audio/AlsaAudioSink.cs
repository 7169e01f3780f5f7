using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;

namespace EdgeGateway.Hardware.Audio;

/// <summary>
/// <c>audio: { sink: alsa, device: ... }</c>: real playback through ALSA by <c>aplay</c> (alsa-utils), fed
/// raw 16 kHz mono S16_LE on its standard input, so clips need no temporary files and ALSA's plug layer
/// converts to whatever the card wants. One aplay per clip; cancelling kills it (the speakers go quiet at
/// once). A non-zero exit, or aplay not starting, is an <see cref="AudioDeviceException"/> carrying aplay's
/// own error text. Gaps between repeats are a timed pause with the device closed.
/// </summary>
public sealed class AlsaAudioSink : IAudioSink
{
    /// <summary>Extra time aplay gets beyond the clip's length (device open, buffering) before it counts as hung.</summary>
    public static readonly TimeSpan PlayerSlack = TimeSpan.FromSeconds(15);

    private readonly TimeProvider _time;

    public AlsaAudioSink(string device, TimeProvider time, string player = "aplay")
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(device);
        ArgumentNullException.ThrowIfNull(time);
        Device = device;
        Player = player;
        _time = time;
    }

    public string Device { get; }

    /// <summary>The aplay executable (a path or a name on PATH).</summary>
    public string Player { get; }

    public string Description => "alsa:" + Device;

    public async Task PlayAsync(AudioClip clip, bool muted, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(clip);
        var pcm = WavFile.PcmBytes(muted ? new short[clip.Samples.Length] : clip.Samples.Span);
        var start = new ProcessStartInfo(Player)
        {
            RedirectStandardInput = true,
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[] { "-q", "-D", Device, "-t", "raw", "-f", "S16_LE", "-c", "1", "-r", AudioClip.SampleRate.ToString(CultureInfo.InvariantCulture), "-" })
        {
            start.ArgumentList.Add(arg);
        }

        Process process;
        try
        {
            process = Process.Start(start) ?? throw new AudioDeviceException($"{Player} did not start");
        }
        catch (Win32Exception ex)
        {
            throw new AudioDeviceException($"cannot run {Player} (is alsa-utils installed?): {ex.Message}", ex);
        }

        using var _ = process;
        using var hung = new CancellationTokenSource(clip.Duration + PlayerSlack, _time);
        using var both = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, hung.Token);
        var stderr = process.StandardError.ReadToEndAsync(CancellationToken.None);
        var stdout = process.StandardOutput.ReadToEndAsync(CancellationToken.None);
        try
        {
            try
            {
                await process.StandardInput.BaseStream.WriteAsync(pcm, both.Token).ConfigureAwait(false);
                process.StandardInput.Close();
            }
            catch (IOException)
            {
                // aplay exited early (device error): its exit code and stderr say why.
            }

            await process.WaitForExitAsync(both.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            Kill(process);
            if (cancellationToken.IsCancellationRequested)
            {
                throw;
            }

            throw new AudioDeviceException($"{Player} on '{Device}' did not finish a {clip.Duration.TotalSeconds:0.#} s clip within {PlayerSlack.TotalSeconds:0} s more; killed");
        }

        await stdout.ConfigureAwait(false);
        var error = (await stderr.ConfigureAwait(false)).Trim();
        if (process.ExitCode != 0)
        {
            throw new AudioDeviceException($"{Player} on '{Device}' exited with code {process.ExitCode}: {(error.Length == 0 ? "no message" : error)}");
        }
    }

    public Task PauseAsync(TimeSpan duration, CancellationToken cancellationToken) => Task.Delay(duration, _time, cancellationToken);

    private static void Kill(Process process)
    {
        try
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit(TimeSpan.FromSeconds(5));
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
    }
}
