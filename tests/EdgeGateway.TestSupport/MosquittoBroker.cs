using System.Diagnostics;
using System.Net.Sockets;
using EdgeGateway.Demo;

namespace EdgeGateway.Tests.EndToEnd;

/// <summary>A real mosquitto on 127.0.0.1 and a free port, anonymous, without persistence; stopped on dispose.</summary>
internal sealed class MosquittoBroker : IAsyncDisposable
{
    private readonly Process _process;
    private readonly string _dir;

    private MosquittoBroker(Process process, string dir, int port)
    {
        _process = process;
        _dir = dir;
        Port = port;
    }

    public int Port { get; }

    /// <summary>The broker's process, e.g. to freeze it with SIGSTOP (a broker that accepts but never answers).</summary>
    public int ProcessId => _process.Id;

    public static Task<MosquittoBroker> StartAsync(TimeSpan timeout) => StartAsync(timeout, "");

    /// <param name="extraConfig">Appended to the configuration, e.g. a second (TLS) listener; the first one is plain.</param>
    public static async Task<MosquittoBroker> StartAsync(TimeSpan timeout, string extraConfig)
    {
        var dir = Directory.CreateTempSubdirectory("edgegw-e2e-mosquitto-").FullName;
        var port = EmbeddedBroker.FreeTcpPort();
        var conf = Path.Combine(dir, "mosquitto.conf");
        await File.WriteAllTextAsync(conf, $"listener {port} 127.0.0.1\nallow_anonymous true\npersistence false\n{extraConfig}");
        var info = new ProcessStartInfo("mosquitto") { UseShellExecute = false, RedirectStandardError = true, RedirectStandardOutput = true };
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add(conf);
        var process = Process.Start(info) ?? throw new InvalidOperationException("mosquitto did not start");
        var broker = new MosquittoBroker(process, dir, port);
        using var cts = new CancellationTokenSource(timeout);
        while (true)
        {
            try
            {
                using var probe = new TcpClient();
                await probe.ConnectAsync("127.0.0.1", port, cts.Token);
                return broker;
            }
            catch (SocketException) when (!process.HasExited)
            {
                await Task.Delay(50, cts.Token);
            }
            catch (Exception) when (process.HasExited || cts.IsCancellationRequested)
            {
                await broker.DisposeAsync();
                throw new InvalidOperationException($"mosquitto did not listen on 127.0.0.1:{port}: {await process.StandardError.ReadToEndAsync()}");
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
        Directory.Delete(_dir, recursive: true);
    }
}
