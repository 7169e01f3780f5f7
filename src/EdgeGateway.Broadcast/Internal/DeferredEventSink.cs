using EdgeGateway.Core.Events;
using Microsoft.Extensions.DependencyInjection;

namespace EdgeGateway.Broadcast.Internal;

/// <summary>
/// The station's event sink, looked up at the first event: the pipeline that owns it also tells the
/// broadcaster of level changes, so resolving it while building the broadcaster would be circular.
/// </summary>
internal sealed class DeferredEventSink(IServiceProvider services) : IStationEventSink
{
    private readonly Lazy<IStationEventSink> _sink = new(services.GetRequiredService<IStationEventSink>);

    public void Publish(StationEvent stationEvent) => _sink.Value.Publish(stationEvent);
}
