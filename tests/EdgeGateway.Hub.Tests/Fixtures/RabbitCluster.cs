namespace EdgeGateway.Hub.Tests.Fixtures;

/// <summary>
/// Real RabbitMQ nodes (Debian's rabbitmq-server with the MQTT plugin) through scripts/fleet-cluster.sh, in
/// a temporary directory, on a free block of 127.0.0.1 ports; stopped, epmd included, on dispose.
/// </summary>
public class RabbitCluster : IAsyncLifetime
{
    private readonly string _dir = Directory.CreateTempSubdirectory("edgegw-hub-rmq-").FullName;
    private readonly int _nodes;

    public RabbitCluster()
        : this(1)
    {
    }

    protected RabbitCluster(int nodes)
    {
        _nodes = nodes;
        Base = FreeBlock();
    }

    public int Base { get; }

    public int AmqpPort(int node) => Base + node - 1;

    public int MqttPort(int node) => Base + 10 + node - 1;

    public Task InitializeAsync() => ScriptAsync("start");

    public Task KillNodeAsync(int node) => ScriptAsync("kill-node", node.ToString(System.Globalization.CultureInfo.InvariantCulture));

    public Task StartNodeAsync(int node) => ScriptAsync("start-node", node.ToString(System.Globalization.CultureInfo.InvariantCulture));

    public async Task DisposeAsync()
    {
        try
        {
            await ScriptAsync("stop");
        }
        finally
        {
            Directory.Delete(_dir, recursive: true);
        }
    }

    private async Task ScriptAsync(params string[] args)
    {
        var result = await TestProcess.RunAsync(
            "bash",
            [RepositoryRoot.File("scripts/fleet-cluster.sh"), .. args],
            TimeSpan.FromMinutes(4),
            new Dictionary<string, string?>
            {
                ["FLEET_DIR"] = _dir,
                ["FLEET_PORT_BASE"] = Base.ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["FLEET_NODES"] = _nodes.ToString(System.Globalization.CultureInfo.InvariantCulture),
            });
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException($"fleet-cluster.sh {string.Join(' ', args)}: {result}");
        }
    }

    // 60 consecutive free ports (the script's layout), chosen at random in a range the kernel does not hand out.
    private static int FreeBlock()
    {
        for (var attempt = 0; attempt < 50; attempt++)
        {
            var start = 20000 + (Random.Shared.Next(0, 160) * 60);
            if (Enumerable.Range(start, 60).All(Loopback.IsFree))
            {
                return start;
            }
        }

        throw new InvalidOperationException("no free block of 60 ports");
    }
}

/// <summary>The three-node cluster, for the node-failure case.</summary>
public sealed class RabbitCluster3 : RabbitCluster
{
    public RabbitCluster3()
        : base(3)
    {
    }
}
