using System.Globalization;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using EdgeGateway.Control;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace EdgeGateway.Tests.Control;

/// <summary>The control socket's limits: the kernel's uid in every request, rate-limited logging.</summary>
public sealed class ControlLimitsTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("egw-ctl-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task Request_ClaimsAnotherUid_VerbSeesTheKernelsUid()
    {
        var path = Path.Combine(_dir, "control.sock");
        JsonObject? seen = null;
        var verb = new DelegateControlVerb("who", (args, _) =>
        {
            seen = (JsonObject)args.DeepClone();
            return Task.FromResult<JsonNode?>(null);
        });
        using var server = new ControlServer(new ControlServerOptions(path), [verb], NullLogger<ControlServer>.Instance);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await server.StartAsync(cts.Token);
        try
        {
            await ControlClient.SendAsync(path, "who", new JsonObject { ["actor"] = "cli:root", ["peerUid"] = 12345 }, TimeSpan.FromSeconds(10), cts.Token);
        }
        finally
        {
            await server.StopAsync(CancellationToken.None);
        }

        Assert.NotNull(seen);
        Assert.Equal(OwnUid(), seen["peerUid"]!.GetValue<int>());
        Assert.NotEqual(12345, OwnUid());
        Assert.Equal("cli:root", seen["actor"]!.GetValue<string>());
    }

    [Fact]
    public async Task Clients_SeventeenthConnection_ToldTooManyAndClosed()
    {
        var path = Path.Combine(_dir, "control.sock");
        using var server = new ControlServer(new ControlServerOptions(path), [], NullLogger<ControlServer>.Instance);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await server.StartAsync(cts.Token);
        var idle = new List<Socket>();
        try
        {
            for (var i = 0; i < ControlServer.MaxClients; i++)
            {
                idle.Add(await ConnectAsync(path));
            }

            // The accept loop counts a client before the next accept: once it has taken all sixteen, the
            // seventeenth is refused.
            using var extra = await ConnectAsync(path);
            var buffer = new byte[256];
            var n = await extra.ReceiveAsync(buffer, SocketFlags.None, cts.Token);
            var answer = JsonNode.Parse(Encoding.UTF8.GetString(buffer, 0, n))!;

            Assert.False(answer["ok"]!.GetValue<bool>());
            Assert.Contains("too many clients", answer["error"]!.GetValue<string>(), StringComparison.Ordinal);
            Assert.Equal(0, await extra.ReceiveAsync(buffer, SocketFlags.None, cts.Token));
            Assert.Equal(ControlServer.MaxClients, server.Clients);
        }
        finally
        {
            foreach (var s in idle)
            {
                s.Dispose();
            }

            await server.StopAsync(CancellationToken.None);
        }
    }

    [Fact]
    public void TryAcquire_SameKindWithinAMinute_OneLineThenTheCountOfTheRest()
    {
        var time = new FakeTimeProvider();
        var limiter = new LogRateLimiter(time, TimeSpan.FromMinutes(1));

        Assert.True(limiter.TryAcquire("EMFILE", out var first));
        var heldBack = Enumerable.Range(0, 1000).Count(i => !limiter.TryAcquire("EMFILE", out _));
        Assert.True(limiter.TryAcquire("other", out _));
        time.Advance(TimeSpan.FromSeconds(59));
        Assert.False(limiter.TryAcquire("EMFILE", out _));
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.True(limiter.TryAcquire("EMFILE", out var suppressed));

        Assert.Equal(0, first);
        Assert.Equal(1000, heldBack);
        Assert.Equal(1001, suppressed);
    }

    private static async Task<Socket> ConnectAsync(string path)
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        await socket.ConnectAsync(new UnixDomainSocketEndPoint(path));
        return socket;
    }

    private static int OwnUid()
    {
        var line = File.ReadLines("/proc/self/status").First(l => l.StartsWith("Uid:", StringComparison.Ordinal));
        return int.Parse(line.Split('\t', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
    }
}
