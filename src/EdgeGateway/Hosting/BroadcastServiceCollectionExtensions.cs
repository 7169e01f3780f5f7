using EdgeGateway.Configuration;
using EdgeGateway.Control;
using EdgeGateway.Core.Alerting;
using EdgeGateway.Core.Events;
using EdgeGateway.Core.Monitoring;
using EdgeGateway.Hardware.Audio;
using EdgeGateway.Broadcast;
using EdgeGateway.Hardware.Gpio;
using EdgeGateway.Hosting.Reload;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace EdgeGateway.Hosting;

public static class BroadcastServiceCollectionExtensions
{
    /// <summary>
    /// Adds the broadcaster when the station has a <c>broadcast</c> section: the <see cref="BroadcastController"/>
    /// (a hosted service that drives the relays off before anything else starts), told of every station level
    /// change by the pipeline (which also saves what the level owes, <see cref="IWarningObligations"/>), and its control verbs (<c>broadcast.test|play|say|stop|status</c>). It uses the
    /// station's <see cref="GpioSetup"/> (registered here from <c>hardware.gpio</c> unless the host already has
    /// one) and publishes to the station's <see cref="IStationEventSink"/>. A reloaded <c>broadcast</c> section is
    /// applied live for the next request (<see cref="BroadcastConfigApplier"/>).
    /// </summary>
    public static IServiceCollection AddBroadcast(this IServiceCollection services, StationConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        if (BroadcastMapping.FromConfig(config) is not { } options)
        {
            return services;
        }

        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(sp => GpioControllerFactory.Create(BroadcastMapping.Gpio(config), sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton(options);
        services.AddSingleton(sp => BroadcastMapping.CreateSink(config.Broadcast!.Audio, sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton(sp => new MessageLibrary(options, new SpeechRenderer(options.SpeechCacheDirectory)));
        services.AddSingleton(sp => new BroadcastController(
            options,
            sp.GetRequiredService<GpioSetup>().Controller,
            sp.GetRequiredService<IAudioSink>(),
            sp.GetRequiredService<MessageLibrary>(),
            new DeferredEventSink(sp),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<BroadcastController>>())
        {
            Loops = sp.GetService<ILoopMonitor>(),
        });
        services.AddSingleton<IHostedService>(sp => sp.GetRequiredService<BroadcastController>());
        services.AddSingleton<IWarningObligations>(sp => sp.GetRequiredService<BroadcastController>());
        services.AddSingleton<IAlertObserver, BroadcastAlertObserver>();
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

/// <summary>
/// The station's event sink, looked up at the first event: the pipeline that owns it also tells the
/// broadcaster of level changes, so resolving it while building the broadcaster would be circular.
/// </summary>
internal sealed class DeferredEventSink(IServiceProvider services) : IStationEventSink
{
    private readonly Lazy<IStationEventSink> _sink = new(services.GetRequiredService<IStationEventSink>);

    public void Publish(StationEvent stationEvent) => _sink.Value.Publish(stationEvent);
}

/// <summary>Station level changes from the rule loop to the broadcaster (returns at once: the controller queues).</summary>
public sealed class BroadcastAlertObserver(BroadcastController controller, ILogger<BroadcastAlertObserver> logger) : IAlertObserver
{
    public void OnTransitions(IReadOnlyList<LevelTransition> transitions)
    {
        ArgumentNullException.ThrowIfNull(transitions);
        foreach (var t in transitions)
        {
            if (t.Scope != TransitionScope.Station)
            {
                continue;
            }

            try
            {
                controller.OnStationLevelChanged(t.From, t.To, allClear: !t.Forced);
            }
            catch (ArgumentException ex)
            {
                Log.BroadcastTransitionRefused(logger, ex, t.From, t.To);
            }
        }
    }
}
