using EdgeGateway.Hardware.Audio;

namespace EdgeGateway.Broadcast;

/// <summary>Why a broadcast a person or the hub asked for is refused; <see cref="Code"/> is the contract's error code.</summary>
public sealed record BroadcastRefusal(string Code, string Reason);

/// <summary>
/// Judges every broadcast a person or the hub asks for (play, say, test, the words around an exercise)
/// before anything sounds. The siren stands in only for an owed level broadcast whose clip fails; a request
/// that cannot be played as asked is refused instead, with one of <see cref="UnknownMessage"/>,
/// <see cref="TextTooLong"/>, <see cref="BadVoice"/> or <see cref="SpeechUnavailable"/>. Spoken requests
/// are rendered here, so "cannot render" is known now, not after the relays are on: a configured message
/// into the speech cache the broadcaster then reads; hub or operator text once more when it plays, since
/// such text is never kept on disk.
/// </summary>
public static class BroadcastValidator
{
    public const string UnknownMessage = "unknown-message";
    public const string TextTooLong = "text-too-long";
    public const string BadVoice = "bad-voice";
    public const string SpeechUnavailable = "speech-unavailable";

    /// <summary>Null when <paramref name="request"/> can be played as asked; otherwise why not.</summary>
    public static async Task<BroadcastRefusal?> CheckAsync(MessageLibrary library, BroadcastRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(library);
        ArgumentNullException.ThrowIfNull(request);
        if (request.Silent)
        {
            // A silent self-test sends nothing to the speakers: nothing to speak, nothing to refuse.
            return null;
        }

        if (request.Message is { } message)
        {
            if (!library.Knows(message))
            {
                return new BroadcastRefusal(UnknownMessage, $"no message named '{message}'; configured: {string.Join(", ", library.Names)}");
            }

            return library.IsSpoken(message) ? await RenderAsync(library, request, cancellationToken).ConfigureAwait(false) : null;
        }

        var text = request.Text ?? "";
        if (text.Length > SpeechRenderer.MaxTextLength)
        {
            return new BroadcastRefusal(TextTooLong, $"the text has {text.Length} characters; at most {SpeechRenderer.MaxTextLength} can be spoken");
        }

        if (request.Voice is { } voice)
        {
            var voices = await library.Speech.VoicesAsync(cancellationToken).ConfigureAwait(false);
            if (voices is null)
            {
                return Unavailable($"{library.Speech.Executable} cannot be run to list its voices");
            }

            if (!SpeechRenderer.HasVoice(voices, voice))
            {
                return new BroadcastRefusal(BadVoice, $"espeak-ng has no voice '{voice}'");
            }
        }

        return await RenderAsync(library, request, cancellationToken).ConfigureAwait(false);
    }

    private static async Task<BroadcastRefusal?> RenderAsync(MessageLibrary library, BroadcastRequest request, CancellationToken cancellationToken)
    {
        try
        {
            await library.LoadAsync(request, cancellationToken).ConfigureAwait(false);
            return null;
        }
        catch (ClipUnavailableException ex)
        {
            return Unavailable(ex.Message);
        }
    }

    private static BroadcastRefusal Unavailable(string why) => new(SpeechUnavailable, "speech is unavailable: " + why);
}
