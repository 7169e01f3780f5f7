using EdgeGateway.Hardware.Audio;

namespace EdgeGateway.Broadcast;

/// <summary>
/// Turns a request into audio: a configured message's WAV file, or text spoken by espeak-ng (cached), all
/// normalised to <see cref="AudioClip"/>'s format. Files are read at every broadcast, so a technician who
/// replaces a WAV needs no restart. Every failure is a <see cref="ClipUnavailableException"/> naming the cause.
/// </summary>
public sealed class MessageLibrary
{
    private readonly BroadcastOptions _options;
    private readonly SpeechRenderer _speech;

    public MessageLibrary(BroadcastOptions options, SpeechRenderer speech)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(speech);
        _options = options;
        _speech = speech;
    }

    /// <summary>The same library (and speech cache) over reloaded <paramref name="options"/>.</summary>
    public MessageLibrary With(BroadcastOptions options) => new(options, _speech);

    /// <summary>Whether <paramref name="message"/> can be asked for by name (configured, or the built-in test).</summary>
    public bool Knows(string message) => _options.Messages.ContainsKey(message) || message == BroadcastOptions.TestMessage;

    /// <summary>The speech renderer (its cache and voice list) this library speaks with.</summary>
    public SpeechRenderer Speech => _speech;

    /// <summary>Whether <paramref name="message"/> is spoken text (needs espeak-ng or its cache) rather than a WAV file.</summary>
    public bool IsSpoken(string message) =>
        _options.Messages.TryGetValue(message, out var m) ? m.File is null : message == BroadcastOptions.TestMessage;

    /// <summary>The names that can be played, for error messages and status.</summary>
    public IReadOnlyList<string> Names =>
        [.. _options.Messages.Keys.Append(BroadcastOptions.TestMessage).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)];

    /// <exception cref="ClipUnavailableException">The audio cannot be had.</exception>
    public Task<AudioClip> LoadAsync(BroadcastRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.Text is not null)
        {
            // Hub or operator text: spoken once, never cached.
            return _speech.RenderOnceAsync("say", request.Text, request.Voice, cancellationToken);
        }

        var name = request.Message ?? throw new ClipUnavailableException("the request names no message");
        return LoadMessageAsync(name, cancellationToken);
    }

    /// <exception cref="ClipUnavailableException">The audio cannot be had.</exception>
    public Task<AudioClip> LoadMessageAsync(string name, CancellationToken cancellationToken)
    {
        if (_options.Messages.TryGetValue(name, out var message))
        {
            return message.File is not null
                ? Task.FromResult(ReadFile(name, message.File))
                : SpeakAsync(name, message.Text ?? "", message.Voice, cancellationToken);
        }

        if (name == BroadcastOptions.TestMessage)
        {
            return SpeakAsync(name, BroadcastOptions.DefaultTestText, SpeechRenderer.DefaultVoice, cancellationToken);
        }

        throw new ClipUnavailableException($"no message named '{name}' is configured");
    }

    /// <summary>Loads every message once; returns one line per message that cannot be played.</summary>
    public async Task<IReadOnlyList<string>> CheckAllAsync(CancellationToken cancellationToken)
    {
        var problems = new List<string>();
        foreach (var name in Names)
        {
            try
            {
                var clip = await LoadMessageAsync(name, cancellationToken).ConfigureAwait(false);
                if (clip.Samples.Length == 0)
                {
                    problems.Add($"message {name}: the audio is empty");
                }
            }
            catch (ClipUnavailableException ex)
            {
                problems.Add($"message {name}: {ex.Message}");
            }
        }

        return problems;
    }

    private static AudioClip ReadFile(string name, string path)
    {
        try
        {
            return WavFile.Read(path, name);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or InvalidDataException)
        {
            var reason = ex switch
            {
                FileNotFoundException or DirectoryNotFoundException => "file not found",
                UnauthorizedAccessException => "permission denied",
                InvalidDataException => "not a usable WAV file (" + ex.Message + ")",
                _ => ex.Message,
            };
            throw new ClipUnavailableException($"{path}: {reason}", ex);
        }
    }

    private async Task<AudioClip> SpeakAsync(string name, string text, string? voice, CancellationToken cancellationToken)
    {
        var path = await _speech.RenderAsync(text, voice, cancellationToken).ConfigureAwait(false);
        return ReadFile(name, path);
    }
}
