using System.Globalization;
using EdgeGateway.Acquisition.History;
using EdgeGateway.Core.Readings;
using Microsoft.Extensions.Time.Testing;

namespace EdgeGateway.Acquisition.Bench;

/// <summary>
/// How many bytes the readings history writes per day at the example station's poll rates, measured on a real
/// SQLite file: simulated days (a fake clock) with the same flush and prune policy the service runs, and the
/// bytes the process handed to the kernel (/proc/self/io wchar) and the page-cache bytes it dirtied for the block
/// device (write_bytes) during the last simulated day, once the history is at its retention and pruning runs.
/// A simulated day passes in seconds, so the page cache would merge commits that a station makes 30 s apart:
/// during the measured day every commit is therefore pushed to the disk (fsync) before the next, as the kernel's
/// writeback does on a station, and write_bytes counts each 4 KiB page a commit dirties.
/// Usage: EdgeGateway.Acquisition.Bench [DIRECTORY] [--days N]
/// </summary>
public static class Program
{
    private static readonly DateTimeOffset Start = new(2026, 7, 1, 0, 0, 0, TimeSpan.Zero);

    public static int Main(string[] args)
    {
        var directory = args.FirstOrDefault(a => !a.StartsWith("--", StringComparison.Ordinal)) ?? Directory.CreateTempSubdirectory("edgegw-history-bench-").FullName;
        var days = args.SkipWhile(a => a != "--days").Skip(1).Select(a => int.Parse(a, CultureInfo.InvariantCulture)).FirstOrDefault(9);
        Directory.CreateDirectory(directory);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"readings history, {days} simulated days at the example's rates; figures for the last day (retention 8 d, pruned hourly)"));
        Console.WriteLine("| variant | readings/day | commits/day | handed to write() (wchar) | dirtied for the disk (write_bytes) | history.db | WAL |");
        Console.WriteLine("| --- | ---: | ---: | ---: | ---: | ---: | ---: |");
        var variants = new (string Name, TimeSpan Flush, bool Storm, int PageSize)[]
        {
            ("ours: batch every 30 s, 1 KiB pages, dry day", TimeSpan.FromSeconds(30), false, 1024),
            ("ours: batch every 30 s, 1 KiB pages, storm day", TimeSpan.FromSeconds(30), true, 1024),
            ("batch every 30 s, 4 KiB pages, dry day", TimeSpan.FromSeconds(30), false, 4096),
            ("batch every 5 min, 1 KiB pages, dry day", TimeSpan.FromMinutes(5), false, 1024),
            ("naive: one commit per reading, 4 KiB pages, dry day", TimeSpan.Zero, false, 4096),
        };
        foreach (var (name, flush, storm, pageSize) in variants)
        {
            var path = Path.Combine(directory, $"history-{Array.FindIndex(variants, v => v.Name == name)}.db");
            var result = Run(path, flush, storm, days, pageSize);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {name} | {result.Readings:N0} | {result.Commits:N0} | {Mib(result.Wchar)} | {Mib(result.WriteBytes)} | {Mib(result.DbBytes)} | {Mib(result.WalBytes)} |"));
            foreach (var f in Directory.GetFiles(directory, Path.GetFileName(path) + "*"))
            {
                File.Delete(f);
            }
        }

        return 0;
    }

    private static (long Readings, long Commits, long Wchar, long WriteBytes, long DbBytes, long WalBytes) Run(string path, TimeSpan flush, bool storm, int days, int pageSize)
    {
        var time = new FakeTimeProvider(Start);
        var options = new HistoryOptions { Path = path, FlushInterval = flush == TimeSpan.Zero ? TimeSpan.FromSeconds(1) : flush, PageSize = pageSize };
        using var history = new ReadingHistory(options, time);
        var flushSeconds = (long)Math.Max(1, flush.TotalSeconds);
        var counter = 50_000L;
        var random = new Random(42);
        long readings = 0, wchar = 0, written = 0, batchesBefore = 0;
        var total = days * 86_400L;
        var lastDay = total - 86_400;
        for (var s = 0L; s < total; s++)
        {
            if (s == lastDay)
            {
                // Settle what earlier days left (checkpoint included), then count the last day alone.
                history.Flush();
                (wchar, written) = Io();
                batchesBefore = history.BatchesWritten;
                readings = 0;
            }

            var now = Start + TimeSpan.FromSeconds(s);
            time.SetUtcNow(now);
            var measuring = s >= lastDay;
            void Add(Reading reading, double? raw = null)
            {
                history.Record(reading, raw);
                readings++;
                if (flush == TimeSpan.Zero)
                {
                    history.Flush();
                    if (measuring)
                    {
                        WriteBack(path);
                    }
                }
            }

            if (s % 5 == 0)
            {
                Add(new Reading("river-level", now, 2.5 + (random.NextDouble() * 0.01), Quality.Good));
            }

            if (s % 10 == 0)
            {
                var rain = storm && random.Next(4) == 0 ? random.Next(1, 6) : 0;
                counter += rain;
                Add(new Reading("rain-counter", now, rain * 0.1, Quality.Good), raw: counter);
            }

            if (s % 60 == 0)
            {
                Add(new Reading("battery", now, 12.6, Quality.Good));
                Add(new Reading("flood-switch", now, 0, Quality.Good));
                Add(new Reading("alarm-button", now, 0, Quality.Good));
            }

            // A storm day: about 600 tips of 0.5 mm (300 mm in the day), as a typhoon brings.
            if (storm && random.Next(144) == 0)
            {
                Add(new Reading("rain-gauge", now + TimeSpan.FromMilliseconds(random.Next(1000)), 0.5, Quality.Good));
            }

            if (flush != TimeSpan.Zero && s % flushSeconds == flushSeconds - 1)
            {
                history.Flush();
                if (measuring)
                {
                    WriteBack(path);
                }
            }

            if (s % 3600 == 0)
            {
                history.Prune();
            }
        }

        history.Flush();
        var (wcharEnd, writtenEnd) = Io();
        var commits = history.BatchesWritten - batchesBefore;
        var db = new FileInfo(path).Length;
        var wal = File.Exists(path + "-wal") ? new FileInfo(path + "-wal").Length : 0;
        return (readings, commits, wcharEnd - wchar, writtenEnd - written, db, wal);
    }

    // What the kernel's writeback does between two commits 30 s apart: the dirty pages go to the device.
    private static void WriteBack(string path)
    {
        foreach (var file in new[] { path, path + "-wal" })
        {
            if (File.Exists(file))
            {
                using var stream = new FileStream(file, FileMode.Open, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete);
                stream.Flush(flushToDisk: true);
            }
        }
    }

    // wchar: bytes passed to write()/pwrite() (what SQLite asked for); write_bytes: what reached the block layer.
    private static (long Wchar, long WriteBytes) Io()
    {
        long wchar = 0, writeBytes = 0;
        foreach (var line in File.ReadLines("/proc/self/io"))
        {
            var parts = line.Split(':', StringSplitOptions.TrimEntries);
            if (parts[0] == "wchar")
            {
                wchar = long.Parse(parts[1], CultureInfo.InvariantCulture);
            }
            else if (parts[0] == "write_bytes")
            {
                writeBytes = long.Parse(parts[1], CultureInfo.InvariantCulture);
            }
        }

        return (wchar, writeBytes);
    }

    private static string Mib(long bytes) => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1048576.0:0.00} MiB");
}
