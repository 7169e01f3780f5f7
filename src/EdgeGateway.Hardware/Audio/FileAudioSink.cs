namespace EdgeGateway.Hardware.Audio;

/// <summary>
/// <c>audio: { sink: file, path: ... }</c>: everything the speakers would have carried, appended to one WAV
/// file as a timeline: each clip as played, and the silence of each pause (gaps between repeats, the tail). Time is taken from
/// the injected <see cref="TimeProvider"/>, so a clip "plays" for its duration; a clip cut short (preempted,
/// stopped) is written only up to the moment it was cut. Muted audio (the silent self-test) never reached
/// the speakers and is not written. The RIFF and data sizes are rewritten after every append, so the file
/// is a valid WAV at any moment, even if the service dies. The broadcast controller pauses through the sink
/// while the zones are live (gaps, the tail), so the file holds exactly the speaker-live time of each
/// session; the amplifier warm-up, before the zones close, does not appear.
/// </summary>
public sealed class FileAudioSink : IAudioSink
{
    private readonly Lock _gate = new();
    private readonly TimeProvider _time;

    public FileAudioSink(string path, TimeProvider time)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        ArgumentNullException.ThrowIfNull(time);
        Path = path;
        _time = time;
    }

    public string Path { get; }

    public string Description => "file:" + Path;

    public Task PlayAsync(AudioClip clip, bool muted, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(clip);
        return PlayOutAsync(clip, muted, cancellationToken);
    }

    public Task PauseAsync(TimeSpan duration, CancellationToken cancellationToken) =>
        PlayOutAsync(AudioClip.Silence(duration), muted: false, cancellationToken);

    private async Task PlayOutAsync(AudioClip clip, bool muted, CancellationToken cancellationToken)
    {
        // Fail before the clip's time passes if the file cannot be written at all.
        Append(ReadOnlySpan<short>.Empty);
        var started = _time.GetTimestamp();
        try
        {
            await Task.Delay(clip.Duration, _time, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            if (!muted)
            {
                Append(clip.Head(_time.GetElapsedTime(started)).Span);
            }

            throw;
        }

        if (!muted)
        {
            Append(clip.Samples.Span);
        }
    }

    private void Append(ReadOnlySpan<short> samples)
    {
        lock (_gate)
        {
            try
            {
                AppendLocked(samples);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or InvalidDataException)
            {
                throw new AudioDeviceException($"cannot write the broadcast timeline {Path}: {ex.Message}", ex);
            }
        }
    }

    private void AppendLocked(ReadOnlySpan<short> samples)
    {
        var directory = System.IO.Path.GetDirectoryName(Path);
        if (!string.IsNullOrEmpty(directory))
        {
            Directory.CreateDirectory(directory);
        }

        using var stream = new FileStream(Path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.Read);
        Span<byte> header = stackalloc byte[WavFile.HeaderSize];
        long dataBytes;
        if (stream.Length == 0)
        {
            dataBytes = 0;
        }
        else
        {
            stream.ReadExactly(header);
            if (!WavFile.IsCanonicalHeader(header))
            {
                throw new InvalidDataException("the file exists and is not a 16 kHz mono 16-bit WAV written by this sink");
            }

            // Trust the file length over the header: a crash between the data write and the header
            // update leaves the header short, never long. An odd trailing byte is dropped.
            dataBytes = (stream.Length - WavFile.HeaderSize) & ~1L;
        }

        var newData = dataBytes + ((long)samples.Length * sizeof(short));
        if (newData > uint.MaxValue - 36)
        {
            throw new IOException("the timeline has reached the 4 GiB WAV limit");
        }

        stream.Position = WavFile.HeaderSize + dataBytes;
        stream.Write(WavFile.PcmBytes(samples));
        stream.SetLength(WavFile.HeaderSize + newData);
        WavFile.WriteHeader(header, (uint)newData);
        stream.Position = 0;
        stream.Write(header);
        stream.Flush(flushToDisk: false);
    }
}
