using EdgeGateway.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace EdgeGateway.Control;

public static class ControlServiceCollectionExtensions
{
    /// <summary>Adds the control socket at <c>control.socket</c>; verbs are the registered <see cref="IControlVerb"/>s.</summary>
    public static IServiceCollection AddControlSocket(this IServiceCollection services, StationConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        services.AddSingleton(new ControlServerOptions(config.Control.Socket));
        services.AddSingleton<ControlServer>();
        services.AddSingleton<IHostedService>(sp => sp.GetRequiredService<ControlServer>());
        return services;
    }
}
