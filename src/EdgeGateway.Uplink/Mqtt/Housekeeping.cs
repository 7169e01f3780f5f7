using EdgeGateway.Uplink.Commands;
using EdgeGateway.Uplink.Internal;
using EdgeGateway.Uplink.Mqtt.Publishing;

namespace EdgeGateway.Uplink.Mqtt;

/// <summary>
/// The uplink's once-a-second chores: writes waiting telemetry and what a refused write left in memory,
/// deletes acknowledged rows left from a trickle, cuts a telemetry message and sends the heartbeat status
/// every telemetry period, persists the clock floor hourly and warns once of an implausible clock.
/// </summary>
internal sealed class Housekeeping(
    UplinkContext context,
    Outbox.Outbox outbox,
    CommandGate gate,
    OutboxPump pump,
    MessageProducer producer,
    StatusPublisher status,
    Func<bool> clockSynchronized)
{
    private static readonly TimeSpan Period = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan ClockPersistPeriod = TimeSpan.FromHours(1);

    private long _lastTelemetryTick = context.Time.GetTimestamp();
    private long _lastDeleteTick = context.Time.GetTimestamp();
    private long _lastClockPersistTick = context.Time.GetTimestamp();
    private bool _clockWarned;

    public async Task RunAsync(CancellationToken ct)
    {
        var time = context.Time;
        using var timer = new PeriodicTimer(Period, time);
        try
        {
            while (await timer.WaitForNextTickAsync(ct).ConfigureAwait(false))
            {
                try
                {
                    Housekeep();
                    if (time.GetElapsedTime(_lastTelemetryTick) >= context.Options.TelemetryPeriod)
                    {
                        _lastTelemetryTick = time.GetTimestamp();
                        producer.CutTelemetry();
                        if (context.Client is { IsConnected: true } client && context.State == UplinkState.Connected)
                        {
                            await status.PublishAsync(client, ct).ConfigureAwait(false);
                        }
                    }
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    Log.HousekeepingFailed(context.Logger, e);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private void Housekeep()
    {
        var time = context.Time;
        outbox.Flush();
        gate.RetryUnsaved();
        if (time.GetElapsedTime(_lastDeleteTick) >= context.Options.Outbox.AckDeleteInterval)
        {
            _lastDeleteTick = time.GetTimestamp();
            pump.DeleteAcknowledged();
        }

        if (time.GetElapsedTime(_lastClockPersistTick) >= ClockPersistPeriod)
        {
            _lastClockPersistTick = time.GetTimestamp();
            gate.PersistClock(clockSynchronized());
        }

        var now = time.GetUtcNow();
        if (!_clockWarned && !gate.IsClockPlausible(now))
        {
            _clockWarned = true;
            Log.ClockImplausible(context.Logger, now, gate.BuildTime);
        }
    }
}
