using System.Diagnostics;
using System.Text;

namespace EdgeGateway.Tests.TestSupport;

/// <summary>
/// The built <c>edgegw</c> run as its own process, as a technician or systemd would run it, with its
/// output captured. Disposing asynchronously sends SIGTERM and waits, then kills it if it did not stop.
/// </summary>
internal sealed class EdgegwProcess : IDisposable, IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _stdout = new();
    private readonly StringBuilder _stderr = new();
    private readonly List<(string Text, TaskCompletionSource Seen)> _waits = [];
    private readonly List<(Func<string, bool> Match, TaskCompletionSource<string> Seen)> _lineWaits = [];
    private readonly Lock _gate = new();

    private EdgegwProcess(IEnumerable<string> args, string? shell, IReadOnlyDictionary<string, string>? environment = null)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "edgegw.dll");
        var dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet";
        var psi = new ProcessStartInfo(shell ?? dotnet)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (shell is not null)
        {
            // edgegw as a child of the shell; SIGTERM to the shell is passed on and edgegw's exit code returned.
            psi.ArgumentList.Add("-c");
            psi.ArgumentList.Add("\"$@\" & child=$!; trap 'kill -TERM $child' TERM; wait $child; wait $child");
            psi.ArgumentList.Add("edgegw");
            psi.ArgumentList.Add(dotnet);
        }

        psi.ArgumentList.Add(dll);
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        // Not under systemd: plain console lines, whatever the test runner's environment says.
        psi.Environment.Remove("INVOCATION_ID");
        psi.Environment.Remove("NOTIFY_SOCKET");
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            psi.Environment[key] = value;
        }

        _process = new Process { StartInfo = psi };
        _process.EnableRaisingEvents = true;
        _process.Exited += (_, _) => OnExited();
        _process.OutputDataReceived += (_, e) => OnLine(_stdout, e.Data);
        _process.ErrorDataReceived += (_, e) => OnLine(_stderr, e.Data);
        _process.Start();
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public int Id => _process.Id;

    public string StandardOutput
    {
        get
        {
            lock (_gate)
            {
                return _stdout.ToString();
            }
        }
    }

    public string StandardError
    {
        get
        {
            lock (_gate)
            {
                return _stderr.ToString();
            }
        }
    }

    public static EdgegwProcess Start(params string[] args) => new(args, shell: null);

    /// <summary>Starts edgegw with extra environment variables (e.g. a NOTIFY_SOCKET to report READY=1 to).</summary>
    public static EdgegwProcess Start(IEnumerable<string> args, IReadOnlyDictionary<string, string> environment) => new(args, shell: null, environment);

    /// <summary>
    /// Starts edgegw as the child of <paramref name="shell"/> (a bash), which forwards SIGTERM. A copy
    /// of bash named <c>systemd</c> makes edgegw see what it sees when systemd starts it.
    /// </summary>
    public static EdgegwProcess StartUnder(string shell, params string[] args) => new(args, shell);

    /// <summary>Runs to completion and returns the exit code.</summary>
    public static async Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(params string[] args)
    {
        return await RunAsync(args, TimeSpan.FromSeconds(60));
    }

    /// <summary>Runs to completion within <paramref name="timeout"/> and returns the exit code.</summary>
    public static async Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(IEnumerable<string> args, TimeSpan timeout)
    {
        using var p = new EdgegwProcess(args, shell: null);
        var code = await p.WaitForExitAsync(timeout);
        return (code, p.StandardOutput, p.StandardError);
    }

    /// <summary>Completes when a line containing <paramref name="text"/> appears on stdout or stderr.</summary>
    public Task WaitForLineAsync(string text, TimeSpan timeout)
    {
        var seen = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_gate)
        {
            if (_stdout.ToString().Contains(text, StringComparison.Ordinal) || _stderr.ToString().Contains(text, StringComparison.Ordinal))
            {
                return Task.CompletedTask;
            }

            _waits.Add((text, seen));
        }

        return seen.Task.WaitAsync(timeout);
    }

    /// <summary>The first line on stdout or stderr that <paramref name="match"/> accepts, past or to come.</summary>
    public Task<string> WaitForLineAsync(Func<string, bool> match, TimeSpan timeout)
    {
        var seen = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_gate)
        {
            var line = (_stdout + "\n" + _stderr).Split('\n').FirstOrDefault(match);
            if (line is not null)
            {
                return Task.FromResult(line);
            }

            _lineWaits.Add((match, seen));
        }

        return seen.Task.WaitAsync(timeout);
    }

    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"edgegw did not exit within {timeout}; stderr:\n{StandardError}");
        }

        return _process.ExitCode;
    }

    /// <summary>Sends SIGTERM, as systemd does on <c>systemctl stop</c>.</summary>
    public async Task TerminateAsync()
    {
        using var kill = Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        await kill.WaitForExitAsync();
        Assert.Equal(0, kill.ExitCode);
    }

    /// <summary>Sends SIGTERM and returns the exit code once the process has stopped.</summary>
    public async Task<int> TerminateAsync(TimeSpan timeout)
    {
        if (!_process.HasExited)
        {
            await TerminateAsync();
        }

        return await WaitForExitAsync(timeout);
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            try
            {
                await TerminateAsync(TimeSpan.FromSeconds(30));
            }
            catch (TimeoutException)
            {
            }
        }

        Dispose();
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        _process.Dispose();
    }

    // A line that has not come by the time the process ends never will: fail the waits at once.
    private void OnExited()
    {
        // Let the last buffered lines arrive before judging.
        _process.WaitForExit();
        lock (_gate)
        {
            foreach (var (text, seen) in _waits)
            {
                seen.TrySetException(new InvalidOperationException(
                    $"edgegw exited ({_process.ExitCode}) before printing '{text}'\nstdout:\n{_stdout}\nstderr:\n{_stderr}"));
            }

            _waits.Clear();
        }
    }

    private void OnLine(StringBuilder into, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_gate)
        {
            into.AppendLine(line);
            foreach (var w in _waits.Where(w => line.Contains(w.Text, StringComparison.Ordinal)).ToList())
            {
                w.Seen.TrySetResult();
                _waits.Remove(w);
            }

            foreach (var w in _lineWaits.Where(w => w.Match(line)).ToList())
            {
                w.Seen.TrySetResult(line);
                _lineWaits.Remove(w);
            }
        }
    }
}
