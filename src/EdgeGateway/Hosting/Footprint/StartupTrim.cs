using System.Globalization;
using System.Runtime.InteropServices;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace EdgeGateway.Hosting.Footprint;

/// <summary>
/// Once the station has started and settled, gives back what only starting needed. Starting runs through
/// code and read-only data of the executable that a polling station never touches again (configuration
/// parsing, composition, the first connects: about 10 MB of a Native AOT build), and leaves that work's
/// garbage on the managed heap. The station drops its mappings of the executable's read-only pages and the
/// page cache drops them (see <see cref="PageOut"/>): what the station keeps using is read back from the
/// file at its next use. Nothing here may stop the station: any failure leaves the pages resident.
/// One compacting collection returns the start's garbage and the free regions to the system.
/// See docs/performance.md, "Where the memory goes".
/// </summary>
internal sealed class StartupTrim : BackgroundService
{
    /// <summary>After this long every sensor has been polled a few times and the uplink has connected.</summary>
    public static readonly TimeSpan Delay = TimeSpan.FromSeconds(15);

    private const int MadvRandom = 1;
    private const int MadvDontneed = 4;
    private const int PosixFadvDontneed = 4;

    private readonly TimeProvider _time;
    private readonly ILogger<StartupTrim> _logger;
    private readonly TaskCompletionSource<long> _trimmed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Task _settled = Task.CompletedTask;

    public StartupTrim(TimeProvider time, ILogger<StartupTrim> logger)
    {
        _time = time;
        _logger = logger;
    }

    /// <summary>Completes with the bytes of the executable handed back, once trimmed.</summary>
    public Task<long> Trimmed => _trimmed.Task;

    public override Task StartAsync(CancellationToken cancellationToken)
    {
        // Counted from the host starting the service, not from when ExecuteAsync gets a thread.
        _settled = Task.Delay(Delay, _time, CancellationToken.None);
        return base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await _settled.WaitAsync(stoppingToken).ConfigureAwait(false);
        var heapBefore = GC.GetGCMemoryInfo().HeapSizeBytes;
        GC.Collect(2, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        var heapAfter = GC.GetGCMemoryInfo().HeapSizeBytes;
        long pagedOut;
        string? failure;
        try
        {
            pagedOut = PageOutExecutable(out failure);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // A memory saving must never stop the station: an unhandled exception here would stop the host.
            (pagedOut, failure) = (0, e.Message);
        }

        if (failure is not null)
        {
            Log.StartupTrimPageOutFailed(_logger, failure);
        }

        Log.StartupTrimmed(_logger, heapBefore / 1024, heapAfter / 1024, pagedOut / 1024);
        _trimmed.TrySetResult(pagedOut);
    }

    /// <summary>
    /// Hands the executable's read-only pages back: this process drops its mappings of them
    /// (<c>madvise(MADV_DONTNEED)</c>), then the page cache drops those no process maps
    /// (<c>posix_fadvise(POSIX_FADV_DONTNEED)</c>). Returns the bytes unmapped.
    /// </summary>
    internal static long PageOutExecutable(out string? failure)
    {
        string exe;
        try
        {
            exe = new FileInfo("/proc/self/exe").LinkTarget ?? "";
        }
        catch (IOException e)
        {
            failure = e.Message;
            return 0;
        }

        return PageOut(exe, Madvise, out failure);
    }

    /// <summary>
    /// Drops this process's mappings of <paramref name="path"/> that hold nothing but the file's own bytes:
    /// read-only, and no page copied on write (<c>Anonymous: 0 kB</c> in smaps). A read-only mapping with
    /// copied pages (data the loader relocated, then made read-only) and every writable mapping stay: dropping
    /// them would put the file's bytes back in place of what was written. What the process uses again is read
    /// back from the file at its next use; read-only data (not code) is then read back a page at a time
    /// (<c>MADV_RANDOM</c>). Not <c>MADV_PAGEOUT</c>: the kernel applies that to a file's pages only
    /// for a process that owns the file or may write it, and the service's user does neither with
    /// /usr/bin/edgegw, so the advice succeeded and left every page resident.
    /// </summary>
    internal static long PageOut(string path, Func<nint, nuint, int, int> madvise, out string? failure)
    {
        failure = null;
        long unmapped = 0;
        foreach (var (start, end, perms, anonymousKb) in Mappings(path))
        {
            if (perms.Contains('w', StringComparison.Ordinal) || anonymousKb != 0)
            {
                continue;
            }

            if (madvise((nint)start, (nuint)(end - start), MadvDontneed) != 0)
            {
                failure ??= $"madvise: errno {Marshal.GetLastPInvokeError()}";
                continue;
            }

            unmapped += end - start;
            // Read-only data, not code: the unwind and GC tables every collection's stack walk searches, and
            // constants. Read back one page per fault, not with the pages around it: a binary search through a
            // table otherwise brings the whole table back. Code keeps its read-ahead (the alarm path's first run).
            if (!perms.Contains('x', StringComparison.Ordinal) && madvise((nint)start, (nuint)(end - start), MadvRandom) != 0)
            {
                failure ??= $"madvise(MADV_RANDOM): errno {Marshal.GetLastPInvokeError()}";
            }
        }

        if (unmapped > 0)
        {
            // Pages another process still maps (a second edgegw started from the same file) stay cached.
            using var file = File.OpenHandle(path, FileMode.Open, FileAccess.Read);
            var error = PosixFadvise(file.DangerousGetHandle().ToInt32(), 0, 0, PosixFadvDontneed);
            if (error != 0)
            {
                failure ??= $"posix_fadvise: errno {error}";
            }
        }

        return unmapped;
    }

    /// <summary>This process's mappings of <paramref name="path"/>, from /proc/self/smaps.</summary>
    private static List<(long Start, long End, string Perms, long AnonymousKb)> Mappings(string path)
    {
        var mappings = new List<(long Start, long End, string Perms, long AnonymousKb)>();
        var current = -1;
        foreach (var line in File.ReadLines("/proc/self/smaps"))
        {
            // A mapping's line "start-end perms offset dev inode path", then its "Name: value kB" lines.
            var fields = line.Split(' ', 6, StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length == 0)
            {
                continue;
            }

            if (fields[0].EndsWith(':'))
            {
                if (current >= 0 && fields[0] == "Anonymous:" && fields.Length > 1)
                {
                    mappings[current] = mappings[current] with { AnonymousKb = long.Parse(fields[1], CultureInfo.InvariantCulture) };
                }

                continue;
            }

            current = -1;
            if (fields.Length < 6 || fields[5].Trim() != path)
            {
                continue;
            }

            var range = fields[0].Split('-');
            var start = long.Parse(range[0], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            var end = long.Parse(range[1], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            // Until its Anonymous line is read, a mapping counts as holding copied pages: it stays.
            mappings.Add((start, end, fields[1], long.MaxValue));
            current = mappings.Count - 1;
        }

        return mappings;
    }

    [DllImport("libc", EntryPoint = "madvise", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int Madvise(nint address, nuint length, int advice);

    /// <summary>Returns the error number itself (0 on success), not through errno.</summary>
    [DllImport("libc", EntryPoint = "posix_fadvise")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int PosixFadvise(int fd, long offset, long length, int advice);
}
