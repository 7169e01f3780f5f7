using EdgeGateway.Hub.Amqp;
using EdgeGateway.Hub.Mqtt;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace EdgeGateway.Hub.Tests.Fixtures;

/// <summary>A hub receiver in this process, built as <c>edgegw hub run</c> builds it (AddHub on a generic host).</summary>
internal sealed class Receiver : IAsyncDisposable
{
    private readonly IHost _host;

    private Receiver(IHost host) => _host = host;

    public static Task<Receiver> StartAsync(HubOptions options) => StartAsync(options, TimeSpan.FromSeconds(60));

    /// <summary>Started and consuming within <paramref name="timeout"/>; otherwise stopped, and <see cref="TimeoutException"/>.</summary>
    public static async Task<Receiver> StartAsync(HubOptions options, TimeSpan timeout)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Services.AddHub(options);
        var receiver = new Receiver(builder.Build());
        await receiver._host.StartAsync();
        var consuming = options.Amqp is not null
            ? receiver._host.Services.GetRequiredService<AmqpReceiver>().Consuming
            : receiver._host.Services.GetRequiredService<MqttReceiver>().Consuming;
        try
        {
            await consuming.Task.WaitAsync(timeout);
        }
        catch (TimeoutException)
        {
            await receiver.DisposeAsync();
            throw;
        }

        return receiver;
    }

    public async ValueTask DisposeAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        await _host.StopAsync(timeout.Token);
        _host.Dispose();
    }
}
