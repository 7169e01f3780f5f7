using System.Net;
using System.Net.Sockets;
using MQTTnet.Server;

namespace EdgeGateway.Demo;

/// <summary>
/// An MQTT broker inside the demo process, standing in for the district hub's broker. It listens on
/// 127.0.0.1 only, on a free port, without TLS or passwords (nothing but this machine can reach it).
/// </summary>
public sealed class EmbeddedBroker : IAsyncDisposable
{
    private readonly MqttServer _server;
    private long _published;

    private EmbeddedBroker(MqttServer server, int port)
    {
        _server = server;
        Port = port;
        _server.InterceptingPublishAsync += _ =>
        {
            Interlocked.Increment(ref _published);
            return Task.CompletedTask;
        };
    }

    public static string Host => "127.0.0.1";

    public int Port { get; }

    /// <summary>Messages clients have published through this broker.</summary>
    public long Published => Interlocked.Read(ref _published);

    /// <summary>Starts the broker on a free loopback port (retrying if another process takes the port first).</summary>
    public static async Task<EmbeddedBroker> StartAsync(CancellationToken cancellationToken)
    {
        const int attempts = 5;
        for (var attempt = 1; ; attempt++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var port = FreeTcpPort();
            var options = new MqttServerOptionsBuilder()
                .WithDefaultEndpoint()
                .WithDefaultEndpointBoundIPAddress(IPAddress.Loopback)
                .WithDefaultEndpointPort(port)
                .Build();
            var server = new MqttServerFactory().CreateMqttServer(options);
            try
            {
                await server.StartAsync().ConfigureAwait(false);
                return new EmbeddedBroker(server, port);
            }
            catch (SocketException) when (attempt < attempts)
            {
                server.Dispose();
            }
            catch
            {
                server.Dispose();
                throw;
            }
        }
    }

    /// <summary>A TCP port on 127.0.0.1 that nothing listens on at this moment.</summary>
    public static int FreeTcpPort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        return port;
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await _server.StopAsync().ConfigureAwait(false);
        }
        finally
        {
            _server.Dispose();
        }
    }
}
