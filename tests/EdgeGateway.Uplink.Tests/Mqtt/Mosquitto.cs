using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace EdgeGateway.Uplink.Tests.Mqtt;

/// <summary>
/// A real mosquitto on 127.0.0.1 at a free port with a temporary configuration. It can be stopped
/// (kill -9) and started again on the same port, as a hub outage would.
/// </summary>
internal sealed class Mosquitto : IDisposable
{
    private readonly TempDir _dir = new();
    private readonly string _extraConfig;
    private Process? _process;

    public Mosquitto(string extraConfig = "allow_anonymous true\n")
    {
        _extraConfig = extraConfig;
        Port = FreePort();
        Start();
    }

    public int Port { get; }

    public string Dir => _dir.Path;

    public string ConfigPath => _dir.File("mosquitto.conf");

    public void Start()
    {
        File.WriteAllText(ConfigPath, $"""
            listener {Port} 127.0.0.1
            persistence false
            log_dest stderr
            max_queued_messages 100000
            {_extraConfig}
            """.Replace("\n            ", "\n", StringComparison.Ordinal));
        var psi = new ProcessStartInfo("mosquitto", ["-c", ConfigPath])
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        _process = Process.Start(psi)!;
        _process.ErrorDataReceived += (_, _) => { };
        _process.OutputDataReceived += (_, _) => { };
        _process.BeginErrorReadLine();
        _process.BeginOutputReadLine();
        WaitForPort(TimeSpan.FromSeconds(20));
    }

    public void Stop()
    {
        if (_process is { HasExited: false } p)
        {
            p.Kill();
            p.WaitForExit(10_000);
        }

        _process?.Dispose();
        _process = null;
    }

    public static int FreePort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }

    private void WaitForPort(TimeSpan timeout)
    {
        var sw = Stopwatch.StartNew();
        while (true)
        {
            if (_process!.HasExited)
            {
                throw new InvalidOperationException($"mosquitto exited with {_process.ExitCode}; config {ConfigPath}");
            }

            try
            {
                using var c = new TcpClient();
                c.Connect(IPAddress.Loopback, Port);
                return;
            }
            catch (SocketException) when (sw.Elapsed < timeout)
            {
                Task.Delay(50).Wait();
            }
        }
    }

    public void Dispose()
    {
        Stop();
        _dir.Dispose();
    }
}
