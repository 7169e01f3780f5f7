using EdgeGateway.Broadcast.Internal;
using EdgeGateway.Core.Alerting;
using EdgeGateway.Core.Monitoring;
using EdgeGateway.Hardware.Audio;
using EdgeGateway.Hardware.Gpio;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace EdgeGateway.Broadcast;

public static class BroadcastServiceCollectionExtensions
{
    /// <summary>
    /// Adds the broadcaster: the <see cref="BroadcastController"/> (a hosted service that drives the relays off
    /// before anything else starts), its <see cref="MessageLibrary"/>, the <see cref="IWarningObligations"/> the
    /// pipeline saves with the levels, and the <see cref="IAlertObserver"/> that hands it every station level change.
    /// The host registers the devices it plays through (<see cref="GpioSetup"/> and <see cref="IAudioSink"/>), the
    /// station's <see cref="Core.Events.IStationEventSink"/> and, optionally, an <see cref="ILoopMonitor"/>.
    /// </summary>
    public static IServiceCollection AddBroadcast(this IServiceCollection services, BroadcastOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton(options);
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
        return services;
    }
}
