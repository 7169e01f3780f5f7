using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace EdgeGateway.Uplink.Sl651;

public static class Sl651ServiceCollectionExtensions
{
    /// <summary>Adds the SL 651 remote station (<see cref="Sl651Station"/>) as a hosted service.</summary>
    public static IServiceCollection AddSl651Station(this IServiceCollection services, Sl651Options options)
    {
        ArgumentNullException.ThrowIfNull(options);
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton(sp => new Sl651Station(options, sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<Sl651Station>>()));
        services.AddSingleton<IHostedService>(sp => sp.GetRequiredService<Sl651Station>());
        return services;
    }
}
