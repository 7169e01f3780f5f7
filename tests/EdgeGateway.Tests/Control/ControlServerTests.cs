using System.Text.Json.Nodes;
using EdgeGateway.Control;
using Microsoft.Extensions.Logging.Abstractions;

namespace EdgeGateway.Tests.Control;

public sealed class ControlServerTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("edgegw-control-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static ControlServer Server(string path, params IControlVerb[] verbs) =>
        new(new ControlServerOptions(path), verbs, NullLogger<ControlServer>.Instance);

    [Fact]
    public async Task SendAsync_KnownVerb_ReturnsHandlerResult()
    {
        var path = Path.Combine(_dir, "control.sock");
        var echo = new DelegateControlVerb("echo", (args, _) => Task.FromResult<JsonNode?>(new JsonObject { ["got"] = args["x"]?.DeepClone() }));
        using var server = Server(path, echo);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await server.StartAsync(cts.Token);
        try
        {
            var result = await ControlClient.SendAsync(path, "echo", new JsonObject { ["x"] = 42 }, TimeSpan.FromSeconds(10), cts.Token);

            Assert.Equal(42, result!["got"]!.GetValue<int>());
            var mode = File.GetUnixFileMode(path);
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.GroupWrite, mode);
        }
        finally
        {
            await server.StopAsync(CancellationToken.None);
        }

        Assert.False(File.Exists(path));
    }

    [Fact]
    public async Task SendAsync_UnknownVerbOrRefusal_ThrowsRefusedWithMessage()
    {
        var path = Path.Combine(_dir, "control.sock");
        var refuse = new DelegateControlVerb("sim.gpio", (_, _) => throw new ControlRequestException("only with driver: simulated"));
        using var server = Server(path, refuse);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await server.StartAsync(cts.Token);
        try
        {
            var unknown = await Assert.ThrowsAsync<ControlRefusedException>(() => ControlClient.SendAsync(path, "nope", null, TimeSpan.FromSeconds(10), cts.Token));
            Assert.Contains("unknown verb 'nope'", unknown.Message, StringComparison.Ordinal);
            var refused = await Assert.ThrowsAsync<ControlRefusedException>(() => ControlClient.SendAsync(path, "sim.gpio", null, TimeSpan.FromSeconds(10), cts.Token));
            Assert.Equal("only with driver: simulated", refused.Message);
        }
        finally
        {
            await server.StopAsync(CancellationToken.None);
        }
    }

    [Fact]
    public async Task SendAsync_NoService_ThrowsUnavailable()
    {
        var path = Path.Combine(_dir, "absent.sock");

        var ex = await Assert.ThrowsAsync<ControlUnavailableException>(() => ControlClient.SendAsync(path, "status", null, TimeSpan.FromSeconds(5)));
        Assert.Contains(path, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StartAsync_StaleSocketFile_Replaced()
    {
        var path = Path.Combine(_dir, "control.sock");
        await File.WriteAllTextAsync(path, "left over from a crash");
        using var server = Server(path, new DelegateControlVerb("ping", (_, _) => Task.FromResult<JsonNode?>("pong")));
        await server.StartAsync(CancellationToken.None);
        try
        {
            var result = await ControlClient.SendAsync(path, "ping", null, TimeSpan.FromSeconds(10));
            Assert.Equal("pong", result!.GetValue<string>());
        }
        finally
        {
            await server.StopAsync(CancellationToken.None);
        }
    }

    [Fact]
    public async Task DispatchAsync_MalformedJson_ReturnsError()
    {
        using var server = Server(Path.Combine(_dir, "x.sock"));

        var response = await server.DispatchAsync("{not json", CancellationToken.None);

        Assert.False(response["ok"]!.GetValue<bool>());
        Assert.StartsWith("malformed request", response["error"]!.GetValue<string>(), StringComparison.Ordinal);
    }
}
