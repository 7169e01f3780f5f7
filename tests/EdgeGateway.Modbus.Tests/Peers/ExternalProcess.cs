using System.Diagnostics;
using System.Threading.Channels;

namespace EdgeGateway.Modbus.Tests.Peers;

/// <summary>A child process whose stdout and stderr lines can be awaited; killed on dispose.</summary>
internal sealed class ExternalProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly Channel<string> _stdout = Channel.CreateUnbounded<string>();
    private readonly Channel<string> _stderr = Channel.CreateUnbounded<string>();

    private ExternalProcess(Process process)
    {
        _process = process;
        process.OutputDataReceived += (_, e) => Forward(_stdout, e.Data);
        process.ErrorDataReceived += (_, e) => Forward(_stderr, e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public bool HasExited => _process.HasExited;

    public static ExternalProcess Start(string fileName, params string[] arguments)
    {
        var info = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = false,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        return new ExternalProcess(Process.Start(info) ?? throw new InvalidOperationException($"cannot start {fileName}"));
    }

    /// <summary>The first stdout line matching <paramref name="match"/>; fails with what stderr said if the process ends first.</summary>
    public Task<string> WaitForStdoutAsync(Func<string, bool> match, TimeSpan timeout) => WaitAsync(_stdout, match, timeout);

    public Task<string> WaitForStderrAsync(Func<string, bool> match, TimeSpan timeout) => WaitAsync(_stderr, match, timeout);

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
            }

            await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }

        _process.Dispose();
    }

    private async Task<string> WaitAsync(Channel<string> lines, Func<string, bool> match, TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        var seen = new List<string>();
        try
        {
            while (true)
            {
                var line = await lines.Reader.ReadAsync(cts.Token);
                seen.Add(line);
                if (match(line))
                {
                    return line;
                }
            }
        }
        catch (Exception e) when (e is OperationCanceledException or ChannelClosedException)
        {
            var errors = new List<string>();
            while (_stderr.Reader.TryRead(out var line))
            {
                errors.Add(line);
            }

            throw new InvalidOperationException(
                $"{_process.StartInfo.FileName}: expected line not seen. Seen: [{string.Join(" | ", seen)}] stderr: [{string.Join(" | ", errors)}]", e);
        }
    }

    private static void Forward(Channel<string> channel, string? line)
    {
        if (line is null)
        {
            channel.Writer.TryComplete();
        }
        else
        {
            channel.Writer.TryWrite(line);
        }
    }
}
