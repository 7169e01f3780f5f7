using EdgeGateway.Core.Monitoring;
using EdgeGateway.Uplink.Commands;
using EdgeGateway.Uplink.Mqtt;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace EdgeGateway.Uplink;

public static class UplinkServiceCollectionExtensions
{
    /// <summary>
    /// Adds the MQTT uplink: <see cref="IUplink"/> (and <see cref="UplinkService"/>, an
    /// <c>IStationEventSink</c>) as a hosted service. Commands go to the registered
    /// <see cref="ICommandHandler"/>, if any; without one they are verified and answered "no-handler".
    /// Its supervising loop reports to the <see cref="ILoopMonitor"/> when one is registered.
    /// </summary>
    public static IServiceCollection AddUplink(this IServiceCollection services, UplinkOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton(options);
        services.TryAddSingleton(sp => new StorageHealth(sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton(sp => new UplinkService(
            options,
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<UplinkService>>(),
            sp.GetService<ICommandHandler>())
        {
            Loops = sp.GetService<ILoopMonitor>(),
            Storage = sp.GetService<StorageHealth>(),
        });
        services.AddSingleton<IUplink>(sp => sp.GetRequiredService<UplinkService>());
        services.AddSingleton<IHostedService>(sp => sp.GetRequiredService<UplinkService>());
        return services;
    }
}
