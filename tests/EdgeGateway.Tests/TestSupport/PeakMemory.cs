using System.Diagnostics;
using System.Globalization;

namespace EdgeGateway.Tests.TestSupport;

/// <summary>Peak resident memory of edgegw processes, as the kernel counts it.</summary>
internal static class PeakMemory
{
    /// <summary>VmHWM (peak resident set) of a running process, in MiB.</summary>
    public static double OfRunning(int pid)
    {
        foreach (var line in File.ReadLines($"/proc/{pid}/status"))
        {
            if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
            {
                return long.Parse(line[6..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) / 1024.0;
            }
        }

        throw new InvalidOperationException($"no VmHWM for process {pid}");
    }

    /// <summary>
    /// Runs <c>edgegw ARGS</c> to completion under GNU time and returns its exit code, output, peak resident
    /// set (MiB) and wall time; a process too short-lived to sample in /proc is measured this way.
    /// </summary>
    public static async Task<(int ExitCode, string Stdout, string Stderr, double PeakMiB, TimeSpan Elapsed)> RunAsync(TimeSpan timeout, params string[] args)
    {
        var marker = "edgegw-peak-kb=";
        var clock = Stopwatch.StartNew();
        var result = await EdgegwProcess.RunUnderAsync("/usr/bin/time", ["-f", marker + "%M"], args, timeout);
        clock.Stop();
        var err = result.Stderr;
        var at = err.LastIndexOf(marker, StringComparison.Ordinal);
        Assert.True(at >= 0, "GNU time printed no figure:\n" + err);
        var kb = long.Parse(err[(at + marker.Length)..].Trim(), CultureInfo.InvariantCulture);
        return (result.ExitCode, result.Stdout, err[..at], kb / 1024.0, clock.Elapsed);
    }
}
