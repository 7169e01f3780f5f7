using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace EdgeGateway.Hub.Tests.Fixtures;

/// <summary>
/// A real PostgreSQL (Debian's postgresql-15) initialised into a temporary directory, listening on
/// 127.0.0.1 at a free port with its socket in that directory. PostgreSQL refuses to run as root, so
/// initdb and the server run as the postgres user when the tests run as root.
/// </summary>
public sealed class Postgres : IAsyncLifetime
{
    private const string Bin = "/usr/lib/postgresql/15/bin";
    private readonly string _dir = Directory.CreateTempSubdirectory("edgegw-hub-pg-").FullName;
    private Process? _server;
    private int _databases;

    public int Port { get; } = FreePort();

    public string AdminConnectionString => $"Host=127.0.0.1;Port={Port};Username=hub;Database=postgres;Pooling=false";

    public async Task InitializeAsync()
    {
        var data = Path.Combine(_dir, "data");
        Directory.CreateDirectory(data);
        if (Environment.UserName == "root")
        {
            Chown(_dir);
            Chown(data);
        }

        await RunAsync(Command("initdb", "-D", data, "-U", "hub", "-A", "trust", "--no-sync", "-E", "UTF8"), TimeSpan.FromSeconds(120));
        _server = Process.Start(Command("postgres", "-D", data, "-p", Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "-k", _dir, "-c", "listen_addresses=127.0.0.1", "-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "max_connections=100"))!;
        _server.BeginOutputReadLine();
        _server.BeginErrorReadLine();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while (true)
        {
            try
            {
                await using var conn = new NpgsqlConnection(AdminConnectionString);
                await conn.OpenAsync(cts.Token);
                return;
            }
            catch (Exception e) when (e is NpgsqlException or SocketException && !_server.HasExited && !cts.IsCancellationRequested)
            {
                await Task.Delay(100, cts.Token);
            }
        }
    }

    /// <summary>A new, empty database for one test.</summary>
    public async Task<string> CreateDatabaseAsync()
    {
        var name = $"hub_{Interlocked.Increment(ref _databases)}";
        await using var conn = new NpgsqlConnection(AdminConnectionString);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand($"CREATE DATABASE {name}", conn);
        await cmd.ExecuteNonQueryAsync();
        return $"Host=127.0.0.1;Port={Port};Username=hub;Database={name}";
    }

    public async Task DisposeAsync()
    {
        if (_server is { HasExited: false } server)
        {
            server.Kill(entireProcessTree: true);
            await server.WaitForExitAsync();
        }

        _server?.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    private static ProcessStartInfo Command(string program, params string[] args)
    {
        ProcessStartInfo info;
        if (Environment.UserName == "root")
        {
            // setpriv execs the server itself (no forking wrapper), so killing this process kills PostgreSQL.
            info = new ProcessStartInfo("setpriv", ["--reuid=postgres", "--regid=postgres", "--init-groups", Path.Combine(Bin, program), .. args]);
        }
        else
        {
            info = new ProcessStartInfo(Path.Combine(Bin, program), args);
        }

        info.RedirectStandardError = true;
        info.RedirectStandardOutput = true;
        info.UseShellExecute = false;
        return info;
    }

    private static async Task RunAsync(ProcessStartInfo info, TimeSpan timeout)
    {
        using var p = Process.Start(info)!;
        var stderr = p.StandardError.ReadToEndAsync();
        var stdout = p.StandardOutput.ReadToEndAsync();
        using var cts = new CancellationTokenSource(timeout);
        await p.WaitForExitAsync(cts.Token);
        if (p.ExitCode != 0)
        {
            throw new InvalidOperationException($"{info.FileName} {string.Join(' ', info.ArgumentList)} exited {p.ExitCode}: {await stderr}{await stdout}");
        }
    }

    private static void Chown(string path)
    {
        using var p = Process.Start("chown", ["postgres:postgres", path])!;
        p.WaitForExit();
    }

    private static int FreePort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }
}
