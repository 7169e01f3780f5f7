using EdgeGateway.Core.Readings;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace EdgeGateway.Uplink.Sl651;

public static class Sl651ServiceCollectionExtensions
{
    /// <summary>
    /// Adds the SL 651 remote station (<see cref="Sl651Station"/>) as a hosted service; <paramref name="history"/>
    /// gives it the readings recorded before the start (the hour and day rainfall elements count them).
    /// </summary>
    public static IServiceCollection AddSl651Station(
        this IServiceCollection services,
        Sl651Options options,
        Func<IServiceProvider, Func<IEnumerable<Reading>>?>? history = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton(sp => new Sl651Station(options, sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<Sl651Station>>(), history?.Invoke(sp)));
        services.AddSingleton<IHostedService>(sp => sp.GetRequiredService<Sl651Station>());
        return services;
    }
}
