using EdgeGateway.Configuration;
using EdgeGateway.Control;
using EdgeGateway.Core.Events;
using EdgeGateway.Core.Monitoring;
using EdgeGateway.Hosting.Pipeline;
using EdgeGateway.Hosting.Status;
using EdgeGateway.Uplink;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;

namespace EdgeGateway.Hosting.Health;

public static class HealthServiceCollectionExtensions
{
    /// <summary>
    /// Adds the <see cref="HealthCollector"/> (battery: the latest reading of the INA219 sensor, when
    /// one is wired), hands it to the uplink's retained status message, and answers <c>status</c>
    /// on the control socket.
    /// </summary>
    public static IServiceCollection AddStationHealth(this IServiceCollection services, StationConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        var batterySensor = config.Sensors.FirstOrDefault(s => s.Ina219 is not null)?.Id;
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(sp => new StorageHealth(sp.GetRequiredService<TimeProvider>()));
        services.TryAddSingleton(sp =>
        {
            var pipeline = sp.GetService<StationPipeline>();
            Func<double?>? battery = batterySensor is null || pipeline is null
                ? null
                : () => pipeline.Sensors.FirstOrDefault(s => s.SensorId == batterySensor && s.Quality == Core.Readings.Quality.Good)?.Value;
            return new HealthCollector(sp.GetRequiredService<TimeProvider>(), config.Storage.Path, battery)
            {
                Storage = sp.GetService<StorageHealth>(),
            };
        });
        services.AddSingleton<IControlVerb>(sp => ActivatorUtilities.CreateInstance<StatusVerb>(sp));
        services.AddHostedService(sp => new UplinkHealthHookup(sp.GetService<IUplink>(), sp.GetRequiredService<HealthCollector>()));
        services.AddHostedService(sp => new StorageEvents(sp.GetRequiredService<StorageHealth>(), sp.GetService<IStationEventSink>()));
        return services;
    }

    /// <summary>Turns the start and the end of each store's write fault into a station event.</summary>
    private sealed class StorageEvents(StorageHealth storage, IStationEventSink? events) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken)
        {
            if (events is not null)
            {
                storage.Changed += OnChanged;
            }

            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken)
        {
            storage.Changed -= OnChanged;
            return Task.CompletedTask;
        }

        private void OnChanged(StorageChange change)
        {
            var data = new Dictionary<string, object?>(StringComparer.Ordinal) { ["store"] = change.Store };
            StationEvent e;
            if (change.Fault is { } fault)
            {
                data["error"] = fault.Error;
                e = new StationEvent(StationEventTypes.StorageFault, change.Time, change.Store,
                    $"{change.Store} cannot write: {fault.Error}", data);
            }
            else
            {
                var seconds = (long)(change.Lasted ?? TimeSpan.Zero).TotalSeconds;
                data["seconds"] = seconds;
                e = new StationEvent(StationEventTypes.StorageRecovered, change.Time, change.Store,
                    string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{change.Store} writes again after {seconds} s"), data);
            }

            events!.Publish(e);
        }
    }

    /// <summary>Gives the uplink the health figures for its birth and periodic status messages.</summary>
    private sealed class UplinkHealthHookup(IUplink? uplink, HealthCollector health) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken)
        {
            uplink?.SetHealthProvider(health.Collect);
            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
