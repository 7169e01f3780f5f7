using System.Globalization;
using System.Runtime.InteropServices;
using EdgeGateway.Core.Monitoring;

namespace EdgeGateway.Hosting.Health;

/// <summary>Where the health figures are read; the defaults are the Linux and Raspberry Pi ones.</summary>
public sealed record HealthSources
{
    public string ThermalZone { get; init; } = "/sys/class/thermal/thermal_zone0/temp";

    /// <summary>The Pi firmware's throttling flags (hex), from the raspberrypi-hwmon/firmware driver.</summary>
    public string Throttled { get; init; } = "/sys/devices/platform/soc/soc:firmware/get_throttled";

    public string MemInfo { get; init; } = "/proc/meminfo";

    public string Uptime { get; init; } = "/proc/uptime";

    /// <summary>Present while systemd-timesyncd has synchronised the clock.</summary>
    public string TimeSyncFlag { get; init; } = "/run/systemd/timesync/synchronized";

    /// <summary>Ask the kernel (adjtimex) when the flag file says nothing; off in tests.</summary>
    public bool UseAdjtimex { get; init; } = true;
}

/// <summary>
/// The station's own health, for the retained <c>status</c> message and <c>edgegw status</c>: CPU
/// temperature, the Pi's under-voltage and throttling flags, free disk under storage.path, memory,
/// battery, whether the clock is synchronised, uptimes. A figure the machine does not offer is
/// absent rather than made up; collecting never throws.
/// </summary>
public sealed class HealthCollector
{
    private readonly TimeProvider _time;
    private readonly HealthSources _sources;
    private readonly string _storagePath;
    private readonly Func<double?>? _batteryVolts;
    private readonly long _startedAt;

    /// <summary>The stores' write faults, shown as <c>storageFault</c> while any store fails; none when null.</summary>
    public StorageHealth? Storage { get; init; }

    public HealthCollector(TimeProvider timeProvider, string storagePath, Func<double?>? batteryVolts = null, HealthSources? sources = null)
    {
        ArgumentNullException.ThrowIfNull(timeProvider);
        _time = timeProvider;
        _storagePath = storagePath;
        _batteryVolts = batteryVolts;
        _sources = sources ?? new HealthSources();
        _startedAt = timeProvider.GetTimestamp();
    }

    /// <summary>camelCase keys, JSON-friendly values (numbers, booleans, strings).</summary>
    public IReadOnlyDictionary<string, object?> Collect()
    {
        var health = new Dictionary<string, object?>(StringComparer.Ordinal)
        {
            ["uptimeSeconds"] = (long)_time.GetElapsedTime(_startedAt).TotalSeconds,
        };
        if (ReadFirstNumber(_sources.Uptime) is { } systemUptime)
        {
            health["systemUptimeSeconds"] = (long)systemUptime;
        }

        if (ReadFirstNumber(_sources.ThermalZone) is { } milliCelsius)
        {
            health["cpuTemperatureC"] = Math.Round(milliCelsius / 1000.0, 1);
        }

        if (ReadThrottled() is { } flags)
        {
            // Bits of the firmware's get_throttled: 0 under-voltage now, 1 ARM frequency capped now,
            // 2 throttled now, 3 soft temperature limit now; +16: the same has happened since boot.
            health["underVoltage"] = (flags & 0x1) != 0;
            health["underVoltageSinceBoot"] = (flags & 0x10000) != 0;
            health["throttled"] = (flags & 0x4) != 0;
            health["throttledSinceBoot"] = (flags & 0x40000) != 0;
            health["throttledFlags"] = "0x" + flags.ToString("x", CultureInfo.InvariantCulture);
        }

        AddDisk(health);
        if (Storage?.Faults is { Count: > 0 } faults)
        {
            health["storageFault"] = string.Join("; ", faults.Select(f => $"{f.Store}: {f.Error}"));
        }

        health["processMemoryBytes"] = Environment.WorkingSet;
        health["managedHeapBytes"] = GC.GetTotalMemory(forceFullCollection: false);
        if (Gen0MaxBudget.Value is { } budget)
        {
            health["gcGen0MaxBudgetBytes"] = budget;
        }

        if (ReadMemAvailable() is { } available)
        {
            health["memAvailableBytes"] = available;
        }

        if (SafeBattery() is { } volts)
        {
            health["batteryVolts"] = volts;
        }

        health["clockSynchronized"] = ClockSynchronized();
        return health;
    }

    // The most the youngest generation may allocate between two collections, as the GC runs with it (the
    // build sets it; see EdgeGateway.csproj). Fixed for the process's life.
    private static readonly Lazy<long?> Gen0MaxBudget = new(() =>
        GC.GetConfigurationVariables().TryGetValue("GCGen0MaxBudget", out var value) && value is long or ulong or int
            ? Convert.ToInt64(value, CultureInfo.InvariantCulture)
            : null);

    private void AddDisk(Dictionary<string, object?> health)
    {
        try
        {
            // DriveInfo on Linux reports the file system holding the path (statvfs).
            var drive = new DriveInfo(_storagePath);
            health["diskFreeBytes"] = drive.AvailableFreeSpace;
            health["diskTotalBytes"] = drive.TotalSize;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException)
        {
        }
    }

    private double? SafeBattery()
    {
        try
        {
            return _batteryVolts?.Invoke();
        }
        catch (InvalidOperationException)
        {
            return null;
        }
    }

    private bool? ClockSynchronized()
    {
        if (File.Exists(_sources.TimeSyncFlag))
        {
            return true;
        }

        if (!_sources.UseAdjtimex || !OperatingSystem.IsLinux())
        {
            return null;
        }

        // adjtimex with modes = 0 only reads; it returns TIME_ERROR (5) while the kernel's clock is
        // unsynchronised. The service's system-call filter may refuse it (EPERM): then unknown.
        var timex = new byte[512];
        try
        {
            var state = Adjtimex(timex);
            return state switch
            {
                < 0 => null,
                5 => false,
                _ => true,
            };
        }
        catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException)
        {
            return null;
        }
    }

    private long? ReadThrottled()
    {
        var text = ReadText(_sources.Throttled);
        if (text is null)
        {
            return null;
        }

        text = text.Trim();
        if (text.StartsWith("0x", StringComparison.OrdinalIgnoreCase))
        {
            text = text[2..];
        }

        return long.TryParse(text, NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var flags) ? flags : null;
    }

    private long? ReadMemAvailable()
    {
        var text = ReadText(_sources.MemInfo);
        if (text is null)
        {
            return null;
        }

        foreach (var line in text.Split('\n'))
        {
            if (line.StartsWith("MemAvailable:", StringComparison.Ordinal))
            {
                var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (parts.Length >= 2 && long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var kb))
                {
                    return kb * 1024;
                }
            }
        }

        return null;
    }

    private static double? ReadFirstNumber(string path)
    {
        var text = ReadText(path);
        if (text is null)
        {
            return null;
        }

        var first = text.Split((char[])[' ', '\n'], StringSplitOptions.RemoveEmptyEntries).FirstOrDefault();
        return double.TryParse(first, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) ? value : null;
    }

    private static string? ReadText(string path)
    {
        try
        {
            return File.Exists(path) ? File.ReadAllText(path) : null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    [DllImport("libc", EntryPoint = "adjtimex")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int Adjtimex([In, Out] byte[] timex);
}
