using EdgeGateway.Core.Monitoring;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting.Systemd;

namespace EdgeGateway.Hosting.Watchdog;

public static class WatchdogServiceCollectionExtensions
{
    /// <summary>
    /// Adds the <see cref="ProgressMonitor"/> (loops register with it, the libraries' through <see cref="ILoopMonitor"/>)
    /// and the systemd watchdog feeder.
    /// Call after <c>AddSystemd()</c>; outside systemd the notifier is disabled and no pings are sent.
    /// </summary>
    public static IServiceCollection AddStationWatchdog(this IServiceCollection services)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<ProgressMonitor>();
        services.TryAddSingleton<ILoopMonitor>(sp => new WatchdogLoops(sp.GetRequiredService<ProgressMonitor>()));
        services.TryAddSingleton<ISystemdNotifier, SystemdNotifier>();
        services.TryAddSingleton(_ => WatchdogSettings.FromEnvironment());
        services.TryAddSingleton<SystemdWatchdogService>();
        services.AddHostedService(sp => sp.GetRequiredService<SystemdWatchdogService>());
        return services;
    }
}
