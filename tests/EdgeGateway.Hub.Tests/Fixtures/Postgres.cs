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
    private TestProcess? _server;
    private int _databases;

    public int Port { get; } = Loopback.FreePort();

    public string AdminConnectionString => $"Host=127.0.0.1;Port={Port};Username=hub;Database=postgres;Pooling=false";

    public async Task InitializeAsync()
    {
        var data = Path.Combine(_dir, "data");
        Directory.CreateDirectory(data);
        if (Environment.UserName == "root")
        {
            await ChownAsync(_dir);
            await ChownAsync(data);
        }

        var (initdb, initdbArgs) = Command("initdb", "-D", data, "-U", "hub", "-A", "trust", "--no-sync", "-E", "UTF8");
        var init = await TestProcess.RunAsync(initdb, initdbArgs, TimeSpan.FromSeconds(120));
        if (init.ExitCode != 0)
        {
            throw new InvalidOperationException($"initdb {init}");
        }

        var (postgres, postgresArgs) = Command("postgres", "-D", data, "-p", Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "-k", _dir, "-c", "listen_addresses=127.0.0.1", "-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "max_connections=100",
            "-c", "lc_messages=C");
        _server = TestProcess.Start(postgres, postgresArgs);
        await _server.WaitForLineAsync("database system is ready to accept connections", TimeSpan.FromSeconds(60));
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

    public Task DisposeAsync()
    {
        // Killed, not stopped: a smart shutdown would wait for the tests' pooled connections.
        _server?.Dispose();
        Directory.Delete(_dir, recursive: true);
        return Task.CompletedTask;
    }

    private static (string FileName, string[] Arguments) Command(string program, params string[] args) =>
        // setpriv execs the server itself (no forking wrapper), so killing this process kills PostgreSQL.
        Environment.UserName == "root"
            ? ("setpriv", ["--reuid=postgres", "--regid=postgres", "--init-groups", Path.Combine(Bin, program), .. args])
            : (Path.Combine(Bin, program), args);

    private static async Task ChownAsync(string path)
    {
        var chown = await TestProcess.RunAsync("chown", "postgres:postgres", path);
        if (chown.ExitCode != 0)
        {
            throw new InvalidOperationException($"chown {path}: {chown}");
        }
    }
}
