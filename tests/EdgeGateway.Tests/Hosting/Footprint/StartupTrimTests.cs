using System.IO.MemoryMappedFiles;
using System.Runtime.InteropServices;
using EdgeGateway.Hosting.Footprint;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace EdgeGateway.Tests.Hosting.Footprint;

public sealed class StartupTrimTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task ExecuteAsync_BeforeTheDelay_LeavesEverythingThenTrimsOnce()
    {
        var time = new FakeTimeProvider();
        using var trim = new StartupTrim(time, NullLogger<StartupTrim>.Instance);
        await trim.StartAsync(CancellationToken.None);

        time.Advance(StartupTrim.Delay - TimeSpan.FromSeconds(1));
        Assert.False(trim.Trimmed.IsCompleted);

        time.Advance(TimeSpan.FromSeconds(1));
        var pagedOut = await trim.Trimmed.WaitAsync(Patience);

        // The test host's executable (dotnet) has read-only mappings: each was advised.
        Assert.True(pagedOut > 0, $"paged out {pagedOut} bytes");
        await trim.StopAsync(CancellationToken.None);
    }

    [Fact]
    public void PageOutExecutable_OnThisKernel_HandsBackTheExecutablesReadOnlyPages()
    {
        var handedBack = StartupTrim.PageOutExecutable(out var failure);

        Assert.Null(failure);
        Assert.True(handedBack > 0, $"handed back {handedBack} bytes");
    }

    [Fact]
    public void PageOut_ReadOnlyMapping_UnmapsItDropsItFromThePageCacheAndReadsTheSameBytesAgain()
    {
        using var mapped = new MappedFile(MemoryMappedFileAccess.Read);
        Assert.Equal(mapped.Bytes.Length / 1024, mapped.ResidentKb());

        var handedBack = StartupTrim.PageOut(mapped.Path, Madvise, out var failure);

        Assert.Null(failure);
        Assert.Equal(mapped.Bytes.Length, handedBack);
        Assert.Equal(0, mapped.ResidentKb());
        // On a tmpfs (a temporary directory may be one) the cached pages are the file itself and stay.
        Assert.Equal(mapped.OnTmpfs() ? mapped.Bytes.Length / Page : 0, mapped.PagesCached());
        Assert.Equal(mapped.Bytes, mapped.Read());
    }

    [Fact]
    public void PageOut_ReadOnlyDataMapping_IsReadBackAPageAtATime()
    {
        using var mapped = new MappedFile(MemoryMappedFileAccess.Read);
        Assert.DoesNotContain("rr", mapped.VmFlags());
        var advice = new List<int>();

        StartupTrim.PageOut(mapped.Path, (address, length, advise) =>
        {
            advice.Add(advise);
            return Madvise(address, length, advise);
        }, out var failure);

        Assert.Null(failure);
        // MADV_DONTNEED (4), then MADV_RANDOM (1): the kernel marks the mapping "rr" (random reads, no read-ahead).
        Assert.Equal([4, 1], advice);
        Assert.Contains("rr", mapped.VmFlags());
        Assert.Equal(mapped.Bytes, mapped.Read());
    }

    [Fact]
    public void PageOut_CopyOnWriteMapping_StaysWithWhatWasWritten()
    {
        using var mapped = new MappedFile(MemoryMappedFileAccess.CopyOnWrite);
        mapped.View.Write(3 * Page, (byte)0xEE);

        var handedBack = StartupTrim.PageOut(mapped.Path, Madvise, out var failure);

        Assert.Null(failure);
        Assert.Equal(0, handedBack);
        Assert.Equal(mapped.Bytes.Length / 1024, mapped.ResidentKb());
        Assert.Equal(0xEE, mapped.View.ReadByte(3 * Page));
    }

    [Fact]
    public void PageOut_ReadOnlyMappingWithACopiedPage_StaysWithWhatWasWritten()
    {
        // What the loader leaves of relocated data: written, then made read-only.
        using var mapped = new MappedFile(MemoryMappedFileAccess.CopyOnWrite);
        mapped.View.Write(3 * Page, (byte)0xEE);
        Assert.Equal(0, Mprotect(mapped.Address, (nuint)mapped.Bytes.Length, ProtRead));

        var handedBack = StartupTrim.PageOut(mapped.Path, Madvise, out var failure);

        Assert.Null(failure);
        Assert.Equal(0, handedBack);
        Assert.Equal(0xEE, mapped.View.ReadByte(3 * Page));
        Assert.Equal(mapped.Bytes[4 * Page], mapped.View.ReadByte(4 * Page));
    }

    [Fact]
    public void PageOut_MadviseRefused_ReportsItAndLeavesThePagesResident()
    {
        using var mapped = new MappedFile(MemoryMappedFileAccess.Read);

        var handedBack = StartupTrim.PageOut(mapped.Path, (_, _, _) => -1, out var failure);

        Assert.Equal(0, handedBack);
        Assert.StartsWith("madvise: errno", failure, StringComparison.Ordinal);
        Assert.Equal(mapped.Bytes.Length / 1024, mapped.ResidentKb());
        Assert.Equal(mapped.Bytes, mapped.Read());
    }

    [Fact]
    public void PageOut_RandomReadAdviceRefused_ReportsItAndStillHandsThePagesBack()
    {
        using var mapped = new MappedFile(MemoryMappedFileAccess.Read);

        var handedBack = StartupTrim.PageOut(mapped.Path, (address, length, advise) => advise == 1 ? -1 : Madvise(address, length, advise), out var failure);

        Assert.Equal(mapped.Bytes.Length, handedBack);
        Assert.StartsWith("madvise(MADV_RANDOM): errno", failure, StringComparison.Ordinal);
        Assert.Equal(0, mapped.ResidentKb());
        Assert.DoesNotContain("rr", mapped.VmFlags());
        Assert.Equal(mapped.Bytes, mapped.Read());
    }

    [Fact]
    public async Task StopAsync_BeforeTheDelay_StopsWithoutTrimming()
    {
        var time = new FakeTimeProvider();
        using var trim = new StartupTrim(time, NullLogger<StartupTrim>.Instance);
        await trim.StartAsync(CancellationToken.None);

        await trim.StopAsync(CancellationToken.None).WaitAsync(Patience);

        Assert.False(trim.Trimmed.IsCompleted);
    }

    private const int Page = 4096;
    private const int ProtRead = 1;

    /// <summary>
    /// A file of 16 pages of distinct bytes on the disk (fsynced, so its cached pages are clean), mapped
    /// whole by this process with the given access, every page read once.
    /// </summary>
    private sealed class MappedFile : IDisposable
    {
        private readonly TempDirectory _dir = new();
        private readonly MemoryMappedFile _file;

        public MappedFile(MemoryMappedFileAccess access)
        {
            Bytes = new byte[16 * Page];
            for (var i = 0; i < Bytes.Length; i++)
            {
                Bytes[i] = (byte)(i * 7 + i / Page);
            }

            Path = _dir.File("mapped.bin");
            using (var stream = new FileStream(Path, FileMode.CreateNew))
            {
                stream.Write(Bytes);
                stream.Flush(flushToDisk: true);
            }

            _file = MemoryMappedFile.CreateFromFile(Path, FileMode.Open, null, 0, access);
            View = _file.CreateViewAccessor(0, Bytes.Length, access);
            for (var offset = 0; offset < Bytes.Length; offset += Page)
            {
                View.ReadByte(offset);
            }
        }

        public string Path { get; }

        public byte[] Bytes { get; }

        public MemoryMappedViewAccessor View { get; }

        public nint Address => View.SafeMemoryMappedViewHandle.DangerousGetHandle() + (nint)View.PointerOffset;

        public byte[] Read()
        {
            var bytes = new byte[Bytes.Length];
            View.ReadArray(0, bytes, 0, bytes.Length);
            return bytes;
        }

        /// <summary>The resident kB of this process's mappings of the file, from /proc/self/smaps.</summary>
        public long ResidentKb() =>
            SmapsValues("Rss:").Sum(value => long.Parse(value.Split(' ', StringSplitOptions.RemoveEmptyEntries)[0], System.Globalization.CultureInfo.InvariantCulture));

        /// <summary>The kernel's flags of this process's mapping of the file (the VmFlags line of /proc/self/smaps).</summary>
        public string[] VmFlags() =>
            SmapsValues("VmFlags:").FirstOrDefault()?.Split(' ', StringSplitOptions.RemoveEmptyEntries)
            ?? throw new InvalidOperationException(Path + " is not mapped");

        /// <summary>What follows <paramref name="name"/> on that line of each of this process's mappings of the file.</summary>
        private IEnumerable<string> SmapsValues(string name)
        {
            var inPath = false;
            foreach (var line in File.ReadLines("/proc/self/smaps"))
            {
                var fields = line.Split(' ', 6, StringSplitOptions.RemoveEmptyEntries);
                if (fields.Length > 0 && !fields[0].EndsWith(':'))
                {
                    inPath = fields.Length == 6 && fields[5].Trim() == Path;
                }
                else if (inPath && fields[0] == name)
                {
                    yield return line[name.Length..].Trim();
                }
            }
        }

        /// <summary>Whether the file is on a tmpfs: the file system of the longest mount point above it (/proc/self/mountinfo).</summary>
        public bool OnTmpfs()
        {
            var (mount, type) = ("", "");
            foreach (var line in File.ReadLines("/proc/self/mountinfo"))
            {
                // "id parent major:minor root mount-point options [optional fields] - type source super-options"
                var fields = line.Split(' ');
                var separator = Array.IndexOf(fields, "-");
                var point = fields[4].Replace("\\040", " ", StringComparison.Ordinal);
                var under = point == "/" || Path.StartsWith(point + "/", StringComparison.Ordinal);
                if (separator > 0 && under && point.Length >= mount.Length)
                {
                    (mount, type) = (point, fields[separator + 1]);
                }
            }

            return type == "tmpfs";
        }

        /// <summary>How many of the file's pages the page cache holds (mincore), without touching them.</summary>
        public int PagesCached()
        {
            var vector = new byte[Bytes.Length / Page];
            Assert.Equal(0, Mincore(Address, (nuint)Bytes.Length, vector));
            return vector.Count(b => (b & 1) != 0);
        }

        public void Dispose()
        {
            View.Dispose();
            _file.Dispose();
            _dir.Dispose();
        }
    }

    [DllImport("libc", EntryPoint = "madvise", SetLastError = true)]
    private static extern int Madvise(nint address, nuint length, int advice);

    [DllImport("libc", EntryPoint = "mprotect", SetLastError = true)]
    private static extern int Mprotect(nint address, nuint length, int protection);

    [DllImport("libc", EntryPoint = "mincore", SetLastError = true)]
    private static extern int Mincore(nint address, nuint length, byte[] vector);
}
