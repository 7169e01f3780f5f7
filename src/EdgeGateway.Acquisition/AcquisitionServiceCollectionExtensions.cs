using EdgeGateway.Acquisition.History;
using EdgeGateway.Core.Events;
using EdgeGateway.Core.Monitoring;
using EdgeGateway.Core.Readings;
using EdgeGateway.Hardware.Gpio;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace EdgeGateway.Acquisition;

public static class AcquisitionServiceCollectionExtensions
{
    /// <summary>
    /// Adds the sensors of <paramref name="options"/> to the host: <see cref="AcquisitionService"/> (also as a
    /// hosted service) and, when <see cref="AcquisitionOptions.History"/> is set, the <see cref="ReadingHistory"/>
    /// the rule engine loads its windows from at startup. Readings go to the <see cref="IReadingSink"/> and events
    /// to the <see cref="IStationEventSink"/> registered by the station pipeline. GPIO inputs use the
    /// <see cref="GpioSetup"/> singleton (shared with the broadcast relays); I/O devices are opened as on a station.
    /// Its loops report to the <see cref="ILoopMonitor"/> when one is registered.
    /// </summary>
    public static IServiceCollection AddAcquisition(this IServiceCollection services, AcquisitionOptions options)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(options);
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton(options);
        services.TryAddSingleton(sp => new StorageHealth(sp.GetRequiredService<TimeProvider>()));
        if (options.History is { } history)
        {
            services.AddSingleton(sp => new ReadingHistory(history, sp.GetRequiredService<TimeProvider>(), sp.GetService<ILogger<ReadingHistory>>())
            {
                Storage = sp.GetService<StorageHealth>(),
            });
        }

        services.AddSingleton(sp => new AcquisitionService(
            options,
            new AcquisitionDevices { Gpio = sp.GetService<GpioSetup>()?.Controller, Loops = sp.GetService<ILoopMonitor>() },
            sp.GetRequiredService<IReadingSink>(),
            sp.GetRequiredService<IStationEventSink>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetService<ReadingHistory>(),
            sp.GetService<ILoggerFactory>()));
        services.AddSingleton<IHostedService>(sp => sp.GetRequiredService<AcquisitionService>());
        return services;
    }
}
