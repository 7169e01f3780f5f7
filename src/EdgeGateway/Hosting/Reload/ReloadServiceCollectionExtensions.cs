using EdgeGateway.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace EdgeGateway.Hosting.Reload;

public static class ReloadServiceCollectionExtensions
{
    /// <summary>
    /// Adds the <see cref="IStationConfigMonitor"/> holding <paramref name="initial"/> (read from
    /// <paramref name="path"/>) and the reloader (SIGHUP and file changes). Needs an IStationEventSink.
    /// </summary>
    public static IServiceCollection AddConfigReload(this IServiceCollection services, StationConfig initial, string path)
    {
        ArgumentNullException.ThrowIfNull(initial);
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(new StationConfigFile(path));
        services.TryAddSingleton(sp =>
        {
            byte[] bytes;
            try
            {
                bytes = StationConfigLoader.ReadBounded(path);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                bytes = [];
            }

            return new StationConfigMonitor(initial, StationConfigMonitor.Hash(bytes), sp.GetRequiredService<TimeProvider>().GetUtcNow());
        });
        services.TryAddSingleton<IStationConfigMonitor>(sp => sp.GetRequiredService<StationConfigMonitor>());
        services.TryAddSingleton<ConfigReloadService>();
        services.AddHostedService(sp => sp.GetRequiredService<ConfigReloadService>());
        return services;
    }
}
