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
        var psi = new ProcessStartInfo("/usr/bin/time")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        psi.ArgumentList.Add("-f");
        psi.ArgumentList.Add(marker + "%M");
        psi.ArgumentList.Add(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet");
        psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "edgegw.dll"));
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        psi.Environment.Remove("INVOCATION_ID");
        psi.Environment.Remove("NOTIFY_SOCKET");
        var clock = Stopwatch.StartNew();
        using var process = Process.Start(psi)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"edgegw {string.Join(' ', args)} did not exit within {timeout}");
        }

        clock.Stop();
        var err = await stderr;
        var at = err.LastIndexOf(marker, StringComparison.Ordinal);
        Assert.True(at >= 0, "GNU time printed no figure:\n" + err);
        var kb = long.Parse(err[(at + marker.Length)..].Trim(), CultureInfo.InvariantCulture);
        return (process.ExitCode, await stdout, err[..at], kb / 1024.0, clock.Elapsed);
    }
}
