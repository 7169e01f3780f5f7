using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace EdgeGateway.TestSupport;

/// <summary>
/// A child process with its output captured line by line: wait for a line (past or to come) with a timeout,
/// send it a signal, collect what it printed. Disposing asynchronously sends SIGTERM and waits, then kills
/// it if it did not stop; disposing synchronously kills it.
/// </summary>
public sealed class TestProcess : IDisposable, IAsyncDisposable
{
    private static readonly TimeSpan StopGrace = TimeSpan.FromSeconds(30);

    private readonly Process _process;
    private readonly StringBuilder _stdout = new();
    private readonly StringBuilder _stderr = new();
    private readonly List<string> _lines = [];
    private readonly List<(Func<string, bool> Match, string What, TaskCompletionSource<string> Seen)> _waits = [];
    private readonly Lock _gate = new();
    private bool _exited;

    private TestProcess(ProcessStartInfo start)
    {
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        start.UseShellExecute = false;
        _process = new Process { StartInfo = start, EnableRaisingEvents = true };
        _process.Exited += (_, _) => OnExited();
        _process.OutputDataReceived += (_, e) => OnLine(_stdout, e.Data);
        _process.ErrorDataReceived += (_, e) => OnLine(_stderr, e.Data);
        _process.Start();
        if (start.RedirectStandardInput)
        {
            _process.StandardInput.Close();
        }

        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public int Id => _process.Id;

    public bool HasExited => _process.HasExited;

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

    /// <summary>Every line so far, stdout and stderr, in the order they were read.</summary>
    public IReadOnlyList<string> Lines
    {
        get
        {
            lock (_gate)
            {
                return [.. _lines];
            }
        }
    }

    private string Name => Path.GetFileName(_process.StartInfo.FileName) + " " + string.Join(' ', _process.StartInfo.ArgumentList);

    /// <param name="environment">Added to (or, with a null value, removed from) the test's environment.</param>
    /// <param name="closeInput">Gives the process an empty stdin instead of the test runner's.</param>
    public static TestProcess Start(
        string fileName,
        IEnumerable<string> arguments,
        IReadOnlyDictionary<string, string?>? environment = null,
        string? workingDirectory = null,
        bool closeInput = false)
    {
        var start = new ProcessStartInfo(fileName) { RedirectStandardInput = closeInput };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (key, value) in environment ?? new Dictionary<string, string?>())
        {
            if (value is null)
            {
                start.Environment.Remove(key);
            }
            else
            {
                start.Environment[key] = value;
            }
        }

        if (workingDirectory is not null)
        {
            start.WorkingDirectory = workingDirectory;
        }

        return new TestProcess(start);
    }

    public static TestProcess Start(string fileName, params string[] arguments) => Start(fileName, (IEnumerable<string>)arguments);

    /// <summary>Runs to completion within <paramref name="timeout"/> (killed, and a <see cref="TimeoutException"/>, if not).</summary>
    public static async Task<ProcessResult> RunAsync(
        string fileName,
        IEnumerable<string> arguments,
        TimeSpan timeout,
        IReadOnlyDictionary<string, string?>? environment = null,
        string? workingDirectory = null)
    {
        using var process = Start(fileName, arguments, environment, workingDirectory, closeInput: true);
        var code = await process.WaitForExitAsync(timeout);
        return new ProcessResult(code, process.StandardOutput, process.StandardError);
    }

    public static Task<ProcessResult> RunAsync(string fileName, params string[] arguments) =>
        RunAsync(fileName, arguments, TimeSpan.FromSeconds(60));

    /// <summary>Completes when a line containing <paramref name="text"/> appears on stdout or stderr.</summary>
    public Task WaitForLineAsync(string text, TimeSpan timeout) =>
        WaitForLineAsync(line => line.Contains(text, StringComparison.Ordinal), timeout, $"'{text}'");

    /// <summary>The first line on stdout or stderr that <paramref name="match"/> accepts, past or to come.</summary>
    public Task<string> WaitForLineAsync(Func<string, bool> match, TimeSpan timeout) =>
        WaitForLineAsync(match, timeout, "the line awaited");

    /// <summary>Waits for the process to end (a <see cref="TimeoutException"/> if it does not) and returns its exit code.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            // Returns once the output streams are drained as well.
            await _process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"{Name} did not exit within {timeout}\nstdout:\n{StandardOutput}\nstderr:\n{StandardError}");
        }

        return _process.ExitCode;
    }

    /// <summary>Sends a signal by name (TERM, INT, HUP, KILL, STOP, CONT) with kill(1).</summary>
    public Task SignalAsync(string signal) => Signals.SendAsync(_process.Id, signal);

    /// <summary>Sends SIGTERM, as systemd does on <c>systemctl stop</c>.</summary>
    public Task TerminateAsync() => SignalAsync("TERM");

    /// <summary>Sends SIGTERM and returns the exit code once the process has stopped.</summary>
    public async Task<int> TerminateAsync(TimeSpan timeout)
    {
        if (!_process.HasExited)
        {
            await TerminateAsync();
        }

        return await WaitForExitAsync(timeout);
    }

    /// <summary>kill -9 of the process and its children, and waits until it is gone.</summary>
    public void Kill()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
            }

            _process.WaitForExit(10_000);
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            try
            {
                await TerminateAsync(StopGrace);
            }
            catch (TimeoutException)
            {
                // Killed by the wait; the test that cared has failed already.
            }
        }

        Dispose();
    }

    public void Dispose()
    {
        Kill();
        _process.Dispose();
    }

    public override string ToString() => $"{Name}\nstdout:\n{StandardOutput}\nstderr:\n{StandardError}";

    private async Task<string> WaitForLineAsync(Func<string, bool> match, TimeSpan timeout, string what)
    {
        var seen = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_gate)
        {
            var line = _lines.FirstOrDefault(match);
            if (line is not null)
            {
                return line;
            }

            if (_exited)
            {
                throw Ended(what);
            }

            _waits.Add((match, what, seen));
        }

        try
        {
            return await seen.Task.WaitAsync(timeout);
        }
        catch (TimeoutException)
        {
            lock (_gate)
            {
                _waits.RemoveAll(w => w.Seen == seen);
            }

            throw new TimeoutException($"{Name}: {what} not seen within {timeout}\nstdout:\n{StandardOutput}\nstderr:\n{StandardError}");
        }
    }

    // A line that has not come by the time the process ends never will: fail the waits at once.
    private void OnExited()
    {
        // Let the last buffered lines arrive before judging.
        _process.WaitForExit();
        lock (_gate)
        {
            _exited = true;
            foreach (var (_, what, seen) in _waits)
            {
                seen.TrySetException(Ended(what));
            }

            _waits.Clear();
        }
    }

    private InvalidOperationException Ended(string what) =>
        new($"{Name} exited ({_process.ExitCode}) before printing {what}\nstdout:\n{_stdout}\nstderr:\n{_stderr}");

    private void OnLine(StringBuilder into, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_gate)
        {
            into.AppendLine(line);
            _lines.Add(line);
            foreach (var w in _waits.Where(w => w.Match(line)).ToList())
            {
                w.Seen.TrySetResult(line);
                _waits.Remove(w);
            }
        }
    }
}

/// <summary>How a process that ran to completion ended.</summary>
public sealed record ProcessResult(int ExitCode, string Stdout, string Stderr)
{
    public override string ToString() => $"exit {ExitCode}\nstdout:\n{Stdout}\nstderr:\n{Stderr}";
}

/// <summary>Signals by name to any process (a test's child, a broker to freeze, the test host itself).</summary>
public static class Signals
{
    public static async Task SendAsync(int pid, string signal)
    {
        using var kill = Process.Start("kill", [$"-{signal}", pid.ToString(CultureInfo.InvariantCulture)]);
        await kill.WaitForExitAsync();
        if (kill.ExitCode != 0)
        {
            throw new InvalidOperationException($"kill -{signal} {pid} failed ({kill.ExitCode})");
        }
    }
}
