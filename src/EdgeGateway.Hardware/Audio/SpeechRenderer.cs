using System.ComponentModel;
using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;

namespace EdgeGateway.Hardware.Audio;

/// <summary>
/// Speaks text with espeak-ng into a WAV file. The texts of configured messages are cached by a hash of
/// voice and text in <see cref="CacheDirectory"/>, so each is synthesised once; the cache holds at most
/// <see cref="MaxCacheBytes"/> (oldest files go first). Text from the hub or an operator is rendered into a
/// temporary file that is deleted once read: it is never kept, so it can neither fill the disk the outbox
/// lives on nor linger there. The text goes to espeak-ng's standard input, never its command line, so no
/// text can be taken for an option.
/// </summary>
public sealed partial class SpeechRenderer
{
    public const string DefaultVoice = "cmn";

    /// <summary>Longest text accepted for speech (a broadcast is a few sentences).</summary>
    public const int MaxTextLength = 2000;

    /// <summary>Default size cap of the speech cache: a few hundred configured messages.</summary>
    public const long DefaultMaxCacheBytes = 64L * 1024 * 1024;

    private const string CachePattern = "say-*.wav";

    public SpeechRenderer(string cacheDirectory, string executable = "espeak-ng", long maxCacheBytes = DefaultMaxCacheBytes)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(cacheDirectory);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxCacheBytes);
        CacheDirectory = cacheDirectory;
        Executable = executable;
        MaxCacheBytes = maxCacheBytes;
    }

    private volatile IReadOnlySet<string>? _voices;

    public string CacheDirectory { get; }

    /// <summary>The most bytes of WAV files the cache keeps.</summary>
    public long MaxCacheBytes { get; }

    public string Executable { get; }

    /// <summary>
    /// The voice names espeak-ng answers to (language codes, voice names, file names, the other languages a
    /// voice speaks; lower case), asked of <c>espeak-ng --voices</c> once and kept. Null when espeak-ng cannot
    /// be run: speech is then unavailable (asked again next time, so installing it needs no restart).
    /// </summary>
    public async Task<IReadOnlySet<string>?> VoicesAsync(CancellationToken cancellationToken)
    {
        if (_voices is { } known)
        {
            return known;
        }

        // Two callers at once may both list; the answers are the same.
        if (await ListVoicesAsync(cancellationToken).ConfigureAwait(false) is { Count: > 0 } listed)
        {
            _voices = listed;
        }

        return _voices;
    }

    /// <summary>Whether espeak-ng has <paramref name="voice"/> (a variant such as <c>+f3</c> is judged by its base).</summary>
    public static bool HasVoice(IReadOnlySet<string> voices, string voice)
    {
        ArgumentNullException.ThrowIfNull(voices);
        ArgumentNullException.ThrowIfNull(voice);
        var plus = voice.IndexOf('+', StringComparison.Ordinal);
        var name = EspeakVoice(plus < 0 ? voice : voice[..plus]);
        return IsValidVoice(voice) && name.Length > 0 && voices.Contains(name.ToLowerInvariant());
    }

    // "espeak-ng --voices": a header, then per voice "Pty Language Age/Gender VoiceName File (other 5)(langs 5)".
    private async Task<HashSet<string>?> ListVoicesAsync(CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo(Executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("--voices");
        try
        {
            using var process = Process.Start(start);
            if (process is null)
            {
                return null;
            }

            var stderr = process.StandardError.ReadToEndAsync(CancellationToken.None);
            var output = await process.StandardOutput.ReadToEndAsync(cancellationToken).ConfigureAwait(false);
            await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
            await stderr.ConfigureAwait(false);
            if (process.ExitCode != 0)
            {
                return null;
            }

            var voices = new HashSet<string>(StringComparer.Ordinal);
            foreach (var line in output.Split('\n').Skip(1))
            {
                var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (fields.Length < 5)
                {
                    continue;
                }

                voices.Add(fields[1].ToLowerInvariant());
                voices.Add(fields[3].ToLowerInvariant());
                voices.Add(fields[4].ToLowerInvariant());
                voices.Add(fields[4][(fields[4].LastIndexOf('/') + 1)..].ToLowerInvariant());
                // After the file: "(zh-cmn 5)(zh 5)", each other language with its priority. (A voice name
                // may hold parentheses too, so the scan starts past it.)
                var nameAt = line.IndexOf(fields[3], StringComparison.Ordinal);
                var rest = line[(line.IndexOf(fields[4], nameAt + fields[3].Length, StringComparison.Ordinal) + fields[4].Length)..];
                for (var open = rest.IndexOf('(', StringComparison.Ordinal); open >= 0; open = rest.IndexOf('(', open + 1))
                {
                    var end = rest.IndexOfAny([' ', ')'], open + 1);
                    if (end > open + 1)
                    {
                        voices.Add(rest[(open + 1)..end].ToLowerInvariant());
                    }
                }
            }

            return voices;
        }
        catch (Exception ex) when (ex is Win32Exception or IOException or InvalidOperationException)
        {
            return null;
        }
    }

    public static bool IsValidVoice(string voice) => VoicePattern().IsMatch(voice);

    /// <summary>
    /// The espeak-ng voice that speaks <paramref name="voice"/>. Mandarin ("cmn", "zh") is spoken with
    /// "cmn-latn-pinyin": espeak-ng's plain cmn voice (as shipped in Debian 12, 1.51) turns many characters
    /// into tone-numbered pinyin and then reads that as English ("zhe4" as "zhe four"); the pinyin variant
    /// reads the same characters with Mandarin phonemes and tones. The only difference otherwise is that
    /// Latin letters in the text are read as pinyin rather than English.
    /// </summary>
    public static string EspeakVoice(string voice) => voice is "cmn" or "zh" or "zh-cmn" ? "cmn-latn-pinyin" : voice;

    /// <summary>The cached WAV for <paramref name="text"/> in <paramref name="voice"/>, rendering it first if needed.</summary>
    /// <exception cref="ClipUnavailableException">Bad text or voice, or espeak-ng failed.</exception>
    public async Task<string> RenderAsync(string text, string? voice, CancellationToken cancellationToken)
    {
        var espeakVoice = Check(text, voice);
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(espeakVoice + "\n" + text)));
        var path = Path.Combine(CacheDirectory, $"say-{hash[..32]}.wav");
        if (File.Exists(path))
        {
            return path;
        }

        var temporary = await RenderTemporaryAsync(text, espeakVoice, cancellationToken).ConfigureAwait(false);
        try
        {
            File.Move(temporary, path, overwrite: true);
        }
        catch (IOException ex)
        {
            File.Delete(temporary);
            throw new ClipUnavailableException($"speech synthesis failed: {ex.Message}", ex);
        }

        Trim(keep: path);
        return path;
    }

    /// <summary>Speaks text that must not be kept (a hub's or an operator's): rendered, read, deleted.</summary>
    /// <exception cref="ClipUnavailableException">Bad text or voice, espeak-ng failed, or its output is unusable.</exception>
    public async Task<AudioClip> RenderOnceAsync(string name, string text, string? voice, CancellationToken cancellationToken)
    {
        var temporary = await RenderTemporaryAsync(text, Check(text, voice), cancellationToken).ConfigureAwait(false);
        try
        {
            return WavFile.Read(temporary, name);
        }
        catch (Exception ex) when (ex is IOException or InvalidDataException)
        {
            throw new ClipUnavailableException($"speech synthesis produced no usable audio: {ex.Message}", ex);
        }
        finally
        {
            File.Delete(temporary);
        }
    }

    private static string Check(string text, string? voice)
    {
        ArgumentNullException.ThrowIfNull(text);
        voice ??= DefaultVoice;
        if (string.IsNullOrWhiteSpace(text) || text.Length > MaxTextLength)
        {
            throw new ClipUnavailableException($"speech text must be 1-{MaxTextLength} characters");
        }

        if (!IsValidVoice(voice))
        {
            throw new ClipUnavailableException($"'{voice}' is not a voice name");
        }

        return EspeakVoice(voice);
    }

    // Evicts the oldest cached clips until the cache fits its cap; the one just made stays even if alone
    // it is larger. A file that cannot be deleted is skipped: the cap is best effort, speech is not.
    private void Trim(string keep)
    {
        try
        {
            var files = new DirectoryInfo(CacheDirectory).GetFiles(CachePattern)
                .OrderBy(f => f.LastWriteTimeUtc)
                .ToList();
            var total = files.Sum(f => f.Length);
            foreach (var file in files)
            {
                if (total <= MaxCacheBytes)
                {
                    break;
                }

                if (file.FullName == Path.GetFullPath(keep))
                {
                    continue;
                }

                file.Delete();
                total -= file.Length;
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
        }
    }

    /// <summary>Runs espeak-ng into a new temporary file in the cache directory and returns its path.</summary>
    private async Task<string> RenderTemporaryAsync(string text, string voice, CancellationToken cancellationToken)
    {
        try
        {
            Directory.CreateDirectory(CacheDirectory);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new ClipUnavailableException($"cannot create the speech cache {CacheDirectory}: {ex.Message}", ex);
        }

        var temporary = Path.Combine(CacheDirectory, "render-" + Guid.NewGuid().ToString("N")[..12] + ".tmp");
        var start = new ProcessStartInfo(Executable)
        {
            RedirectStandardInput = true,
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
            StandardInputEncoding = new UTF8Encoding(false),
        };
        foreach (var arg in new[] { "-v", voice, "-w", temporary, "--stdin" })
        {
            start.ArgumentList.Add(arg);
        }

        var done = false;
        try
        {
            using var process = Process.Start(start) ?? throw new ClipUnavailableException($"{Executable} did not start");
            var stderr = process.StandardError.ReadToEndAsync(CancellationToken.None);
            var stdout = process.StandardOutput.ReadToEndAsync(CancellationToken.None);
            await process.StandardInput.WriteAsync(text.AsMemory(), cancellationToken).ConfigureAwait(false);
            process.StandardInput.Close();
            try
            {
                await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                throw;
            }

            await stdout.ConfigureAwait(false);
            var error = (await stderr.ConfigureAwait(false)).Trim();
            if (process.ExitCode != 0 || !File.Exists(temporary) || new FileInfo(temporary).Length <= WavFile.HeaderSize)
            {
                throw new ClipUnavailableException($"{Executable} -v {voice} failed (exit {process.ExitCode}): {(error.Length == 0 ? "no audio produced" : error)}");
            }

            done = true;
            return temporary;
        }
        catch (Win32Exception ex)
        {
            throw new ClipUnavailableException($"cannot run {Executable} (is espeak-ng installed?): {ex.Message}", ex);
        }
        catch (IOException ex)
        {
            throw new ClipUnavailableException($"speech synthesis failed: {ex.Message}", ex);
        }
        finally
        {
            if (!done && File.Exists(temporary))
            {
                File.Delete(temporary);
            }
        }
    }

    // espeak-ng voice names: "cmn", "en-us", "zh+f3", "yue".
    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9_+-]{0,40}$")]
    private static partial Regex VoicePattern();
}

/// <summary>A message's audio cannot be had: missing or unreadable file, bad WAV, speech failure, unknown message.</summary>
public sealed class ClipUnavailableException : Exception
{
    public ClipUnavailableException()
    {
    }

    public ClipUnavailableException(string message)
        : base(message)
    {
    }

    public ClipUnavailableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
