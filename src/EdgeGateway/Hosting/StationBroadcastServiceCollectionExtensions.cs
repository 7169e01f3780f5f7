using EdgeGateway.Broadcast;
using EdgeGateway.Configuration;
using EdgeGateway.Control;
using EdgeGateway.Core.Events;
using EdgeGateway.Hardware.Gpio;
using EdgeGateway.Hosting.Reload;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;

namespace EdgeGateway.Hosting;

public static class StationBroadcastServiceCollectionExtensions
{
    /// <summary>
    /// Adds the broadcaster when the station has a <c>broadcast</c> section: the stage itself
    /// (<see cref="BroadcastServiceCollectionExtensions.AddBroadcast(IServiceCollection, BroadcastOptions)"/>, with the
    /// options mapped from the station file), the devices it plays through (the station's <see cref="GpioSetup"/>,
    /// registered here from <c>hardware.gpio</c> unless the host already has one, and the audio sink
    /// <c>broadcast.audio</c> names), its control verbs (<c>broadcast.test|play|say|stop|status|wait</c>) and the
    /// reload applier that puts a reloaded <c>broadcast</c> section in force for the next request
    /// (<see cref="BroadcastConfigApplier"/>). Events go to the station's <see cref="IStationEventSink"/>.
    /// <paramref name="levels"/>: the station's levels built once at start; null: built from <paramref name="config"/>.
    /// </summary>
    public static IServiceCollection AddBroadcast(this IServiceCollection services, StationConfig config, Core.Alerting.AlertLevels? levels = null)
    {
        ArgumentNullException.ThrowIfNull(config);
        if (BroadcastMapping.FromConfig(config, levels) is not { } options)
        {
            return services;
        }

        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(sp => GpioControllerFactory.Create(BroadcastMapping.Gpio(config), sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton(sp => BroadcastMapping.CreateSink(config.Broadcast!.Audio, sp.GetRequiredService<TimeProvider>()));
        services.AddBroadcast(options);
        services.AddSingleton<IConfigApplier>(sp => new BroadcastConfigApplier(sp.GetRequiredService<BroadcastController>(), config));
        foreach (var verb in BroadcastControlVerbs.Names)
        {
            services.AddSingleton<IControlVerb>(sp => new BroadcastControlVerbs(
                verb,
                sp.GetRequiredService<BroadcastController>(),
                sp.GetRequiredService<IStationEventSink>(),
                sp.GetRequiredService<TimeProvider>(),
                sp.GetRequiredService<ILogger<BroadcastControlVerbs>>()));
        }

        services.AddSingleton<IControlVerb>(sp => new BroadcastWaitVerb(sp.GetRequiredService<BroadcastController>(), sp.GetRequiredService<TimeProvider>()));
        return services;
    }
}
