using System.Net;
using System.Net.Sockets;

namespace EdgeGateway.TestSupport;

/// <summary>
/// A real mosquitto on 127.0.0.1 at a free port with a configuration of its own (no persistence, logging to
/// stderr), started and awaited until it accepts connections. It can be killed (-9) and started again on the
/// same port, as a hub outage would be; its log is in the exception when it fails to start.
/// </summary>
public sealed class MosquittoBroker : IAsyncDisposable, IDisposable
{
    public static readonly TimeSpan DefaultStartTimeout = TimeSpan.FromSeconds(20);

    private readonly TempDirectory _dir = new("egw-mosquitto-");
    private readonly TimeSpan _timeout;
    private TestProcess? _process;

    private MosquittoBroker(string extraConfig, TimeSpan timeout)
    {
        _timeout = timeout;
        Port = Loopback.FreePort();
        // Anonymous unless the extra configuration says otherwise (a password file, an ACL).
        var anonymous = extraConfig.Contains("allow_anonymous", StringComparison.Ordinal) ? "" : "allow_anonymous true\n";
        File.WriteAllText(ConfigPath,
            $"listener {Port} 127.0.0.1\npersistence false\nlog_dest stderr\nmax_queued_messages 100000\n{anonymous}{extraConfig}\n");
    }

    public int Port { get; }

    public string Dir => _dir.Path;

    public string ConfigPath => _dir.File("mosquitto.conf");

    /// <summary>The broker's process, e.g. to freeze it with SIGSTOP (a broker that accepts but never answers).</summary>
    public int ProcessId => _process?.Id ?? throw new InvalidOperationException("mosquitto is stopped");

    /// <summary>What mosquitto has logged since it was last started.</summary>
    public string Log => _process?.StandardError ?? "";

    public static Task<MosquittoBroker> StartAsync() => StartAsync(DefaultStartTimeout, "");

    public static Task<MosquittoBroker> StartAsync(string extraConfig) => StartAsync(DefaultStartTimeout, extraConfig);

    public static Task<MosquittoBroker> StartAsync(TimeSpan timeout) => StartAsync(timeout, "");

    /// <param name="extraConfig">Appended to the configuration, e.g. a second (TLS) listener or a password file; the first listener is plain.</param>
    public static async Task<MosquittoBroker> StartAsync(TimeSpan timeout, string extraConfig)
    {
        var broker = new MosquittoBroker(extraConfig, timeout);
        try
        {
            await broker.RestartAsync();
            return broker;
        }
        catch
        {
            await broker.DisposeAsync();
            throw;
        }
    }

    /// <summary>Starts the broker again (same port, same configuration) after <see cref="Stop"/>, and waits until it accepts.</summary>
    public async Task RestartAsync()
    {
        if (_process is not null)
        {
            throw new InvalidOperationException("mosquitto is running");
        }

        _process = TestProcess.Start("mosquitto", "-c", ConfigPath);
        using var cts = new CancellationTokenSource(_timeout);
        while (true)
        {
            try
            {
                using var probe = new TcpClient();
                await probe.ConnectAsync(IPAddress.Loopback, Port, cts.Token);
                return;
            }
            catch (SocketException) when (!_process.HasExited)
            {
                // Not listening yet: mosquitto binds within milliseconds of starting; no event to wait on.
                await Task.Delay(50, cts.Token);
            }
            catch (Exception e) when (_process.HasExited || cts.IsCancellationRequested)
            {
                throw new InvalidOperationException($"mosquitto did not listen on 127.0.0.1:{Port} within {_timeout}; config {ConfigPath}; log:\n{Log}", e);
            }
        }
    }

    /// <summary>kill -9: the broker goes away without a word, as a hub outage would.</summary>
    public void Stop()
    {
        _process?.Dispose();
        _process = null;
    }

    public ValueTask DisposeAsync()
    {
        Dispose();
        return ValueTask.CompletedTask;
    }

    public void Dispose()
    {
        Stop();
        _dir.Dispose();
    }
}
