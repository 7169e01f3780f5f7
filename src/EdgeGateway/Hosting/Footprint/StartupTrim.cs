using System.Globalization;
using System.Runtime.InteropServices;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace EdgeGateway.Hosting.Footprint;

/// <summary>
/// Once the station has started and settled, gives back what only starting needed. Starting runs through
/// code and read-only data of the executable that a polling station never touches again (configuration
/// parsing, composition, the first connects: about 10 MB of a Native AOT build), and leaves that work's
/// garbage on the managed heap. The executable's clean, read-only pages go back to the page cache
/// (<c>madvise(MADV_PAGEOUT)</c>): the kernel would drop them under memory pressure anyway, and what the
/// station keeps using is read back at its next use (from the page cache while the kernel still holds it,
/// otherwise from the disk). Nothing here may stop the station: any failure leaves the pages resident.
/// One compacting collection returns the start's garbage and the free regions to the system.
/// See docs/performance.md, "Where the memory goes".
/// </summary>
internal sealed class StartupTrim : BackgroundService
{
    /// <summary>After this long every sensor has been polled a few times and the uplink has connected.</summary>
    public static readonly TimeSpan Delay = TimeSpan.FromSeconds(15);

    private const int MadvPageout = 21;

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
    /// Advises the kernel to page out the read-only mappings of this process's executable. Pages shared with
    /// another process (a second edgegw running) stay. Returns the bytes advised.
    /// </summary>
    internal static long PageOutExecutable(out string? failure)
    {
        failure = null;
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

        long advised = 0;
        foreach (var line in File.ReadLines("/proc/self/maps"))
        {
            // "start-end perms offset dev inode path"
            var fields = line.Split(' ', 6, StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length < 6 || fields[5].Trim() != exe || fields[1].Contains('w', StringComparison.Ordinal))
            {
                continue;
            }

            var range = fields[0].Split('-');
            var start = long.Parse(range[0], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            var end = long.Parse(range[1], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            if (Madvise((nint)start, (nuint)(end - start), MadvPageout) == 0)
            {
                advised += end - start;
            }
            else
            {
                // EINVAL before Linux 5.4, which has no MADV_PAGEOUT: the pages simply stay.
                failure ??= $"madvise: errno {Marshal.GetLastPInvokeError()}";
            }
        }

        return advised;
    }

    [DllImport("libc", EntryPoint = "madvise", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int Madvise(nint address, nuint length, int advice);
}
