using EdgeGateway.Hub.Amqp;
using EdgeGateway.Hub.Internal;
using EdgeGateway.Hub.Mqtt;
using EdgeGateway.Hub.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace EdgeGateway.Hub;

public static class HubServiceCollectionExtensions
{
    /// <summary>The hub receiver: schema on start, then consuming the stations' uplink into PostgreSQL.</summary>
    public static IServiceCollection AddHub(this IServiceCollection services, HubOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Amqp is null == (options.Mqtt is null))
        {
            throw new ArgumentException("give exactly one of hub.amqp (RabbitMQ) or hub.mqtt (a single broker)", nameof(options));
        }

        services.AddSingleton(options);
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton(_ => NpgsqlDataSource.Create(options.Postgres));
        services.AddSingleton(sp => new HubWriter(sp.GetRequiredService<NpgsqlDataSource>(), sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton(sp => new BatchStore(sp.GetRequiredService<HubWriter>(), new MessageParser(options.Prefix),
            sp.GetRequiredService<ILoggerFactory>().CreateLogger("EdgeGateway.Hub")));
        services.AddHostedService<SchemaStarter>();
        if (options.Amqp is not null)
        {
            services.AddSingleton<AmqpReceiver>();
            services.AddHostedService(sp => sp.GetRequiredService<AmqpReceiver>());
        }
        else
        {
            services.AddSingleton<MqttReceiver>();
            services.AddHostedService(sp => sp.GetRequiredService<MqttReceiver>());
        }
        return services;
    }

    // Runs before the receiver (hosted services start in order): nothing is consumed before the tables exist.
    private sealed class SchemaStarter(NpgsqlDataSource db, HubWriter writer, ILogger<SchemaStarter> logger) : IHostedService
    {
        public async Task StartAsync(CancellationToken cancellationToken)
        {
            await HubSchema.MigrateAsync(db, cancellationToken).ConfigureAwait(false);
            await writer.PrepareAsync(cancellationToken).ConfigureAwait(false);
            Log.SchemaReady(logger, HubSchema.Version);
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
