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

    public string CacheDirectory { get; }

    /// <summary>The most bytes of WAV files the cache keeps.</summary>
    public long MaxCacheBytes { get; }

    public string Executable { get; }

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
