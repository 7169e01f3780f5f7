using EdgeGateway.Core.Monitoring;
using EdgeGateway.Uplink.Commands;
using EdgeGateway.Uplink.Internal;
using EdgeGateway.Uplink.Mqtt.Publishing;
using EdgeGateway.Uplink.Payloads;
using EdgeGateway.Uplink.Mqtt.Wire;

namespace EdgeGateway.Uplink.Mqtt;

/// <summary>
/// The supervising loop: connects (to the cluster's brokers in turn) with jittered exponential backoff,
/// subscribes to commands, publishes the birth, runs the outbox pump while the connection lasts, and
/// reconnects at once when new settings ask for it. It never reconnects from inside the client's
/// Disconnected handler; the handler only wakes the loop.
/// </summary>
internal sealed class ConnectionSupervisor(
    UplinkContext context,
    OutboxPump pump,
    StatusPublisher status,
    CommandIntake commands,
    Outbox.Outbox outbox)
{
    private TaskCompletionSource _reconfigured = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _attempt;

    // Which of the cluster's brokers the next attempt goes to, and how many have failed since one last worked.
    private int _broker;
    private int _brokersFailed;

    /// <summary>Raised when the client is connected and the birth message acknowledged.</summary>
    public event Action? Connected;

    /// <summary>Leaves the current connection (or backoff) for one with the settings now in force.</summary>
    public void Reconnect() => Volatile.Read(ref _reconfigured).TrySetResult();

    public async Task RunAsync(CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            TimeSpan delay;
            var reconfigured = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            Volatile.Write(ref _reconfigured, reconfigured);
            var settings = context.Options;
            context.Topics = new Topics(settings.Mqtt.Prefix, settings.StationId);
            BrokerConnection? client = null;
            var broker = context.Options.Mqtt.Endpoints()[0];
            try
            {
                context.State = UplinkState.Connecting;
                var brokers = context.Options.Mqtt.Endpoints();
                broker = brokers[_broker % brokers.Count];
                var options = ClientOptionsFactory.Build(context.Options, broker, context.Topics.StatusTopic, status.Payload(online: false),
                    () => commands.Gate.IsClockPlausible(context.Time.GetUtcNow()));
                client = await Bounded(BrokerConnection.ConnectAsync(options, context.NetworkTime, commands.OnMessage, ct)).ConfigureAwait(false);
                context.Client = client;
                _attempt = 0;
                var moved = await RunConnectedAsync(client, broker, reconfigured.Task, ct).ConfigureAwait(false);
                delay = moved ? TimeSpan.Zero : NextBroker();
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                if (client is not null)
                {
                    await status.GoOfflineAsync(client).ConfigureAwait(false);
                }

                break;
            }
            catch (Exception e) when (AuthRefusal(e) is { } code)
            {
                delay = Jitter(context.Options.Reconnect.AuthFailure);
                context.State = UplinkState.AuthFailed;
                context.LastError = $"broker refused credentials ({code})";
                _broker++;
                Log.AuthRefused(context.Logger, broker.Host, broker.Port, context.Options.Mqtt.Username, code, delay);
            }
            catch (UplinkLocalFaultException e)
            {
                delay = Jitter(context.Options.Reconnect.AuthFailure);
                context.State = UplinkState.Faulted;
                context.LastError = e.Message;
                Log.LocalFault(context.Logger, e.Message, delay);
            }
            catch (Exception e)
            {
                delay = NextBroker();
                context.State = UplinkState.Disconnected;
                context.LastError = e.Message;
                Log.ConnectFailed(context.Logger, broker.Host, broker.Port, e.Message, delay);
            }
            finally
            {
                context.Client = null;
                context.ConnectedSince = null;
                // Without a DISCONNECT: on a lost connection the broker sends the will.
                client?.Dispose();
            }

            // New settings end the wait at once: a technician who fixed the broker address need not wait out a backoff.
            using (var wait = CancellationTokenSource.CreateLinkedTokenSource(ct))
            {
                // Backing off while the broker is down is progress: beat through the wait.
                await context.Heartbeat.WaitBeatingAsync(Task.WhenAny(Task.Delay(delay, context.Time, wait.Token), reconfigured.Task),
                    Timeout.InfiniteTimeSpan, UplinkWatchdog.BeatInterval, context.Time).ConfigureAwait(false);
                await wait.CancelAsync().ConfigureAwait(false);
            }

            if (ct.IsCancellationRequested)
            {
                break;
            }

            if (reconfigured.Task.IsCompleted)
            {
                _attempt = 0;
                _broker = 0;
                _brokersFailed = 0;
            }
        }
    }

    // Returns true when the connection was left for new settings (reconnect at once), false when it was lost.
    private async Task<bool> RunConnectedAsync(BrokerConnection client, MqttEndpoint broker, Task reconfigured, CancellationToken ct)
    {
        using var connection = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var settings = context.Options;
        var lost = client.Closed;
        var window = Math.Max(1, Math.Min(settings.Mqtt.MaxInflight, client.ReceiveMaximum is > 0 and var rm ? rm : ushort.MaxValue));
        var failed = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);

        // Retain As Published (MQTT 5): a command published with retain while we are connected still arrives
        // flagged, so it is refused now rather than executed now and refused at every reconnect. A 3.1.1
        // broker clears the flag on live delivery; there only the copy sent on subscribing is recognisable.
        var retainAsPublished = settings.Mqtt.Protocol == MqttProtocol.V5;
        var topics = context.Topics;
        string[] filters = [topics.CommandTopic, topics.BroadcastCommandTopic];
        var granted = await Bounded(client.SubscribeAsync(filters, retainAsPublished, ct)).ConfigureAwait(false);
        for (var i = 0; i < filters.Length; i++)
        {
            // One code per filter, in order; a missing one counts as refused.
            var code = i < granted.Length ? granted[i] : (byte)0x80;
            if (code >= 0x80)
            {
                // Telemetry and alerts still go up; only these commands would never arrive. Say so, and go on.
                Log.SubscribeRefused(context.Logger, filters[i], MqttPackets.ReasonName(code));
            }
        }
        await Bounded(status.PublishAsync(client, ct)).ConfigureAwait(false);

        context.State = UplinkState.Connected;
        // Only a broker that also took our subscriptions and birth counts as working: one that accepts the
        // CONNECT and then drops us (a cluster node that cannot serve) must not reset the round of brokers,
        // or the loop would cycle through them without ever backing off.
        _brokersFailed = 0;
        context.LastError = null;
        context.ConnectedSince = context.Time.GetUtcNow();
        Log.Connected(context.Logger, broker.Host, broker.Port, settings.StationId,
            settings.Mqtt.Protocol == MqttProtocol.V5 ? "5" : "3.1.1", outbox.Count);
        Connected?.Invoke();

        var publishing = pump.RunAsync(client, window, failed, connection.Token);
        var reason = await Task.WhenAny(lost, failed.Task, publishing, reconfigured).ConfigureAwait(false);
        await connection.CancelAsync().ConfigureAwait(false);
        try
        {
            await publishing.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }

        ct.ThrowIfCancellationRequested();
        if (reason == reconfigured)
        {
            context.State = UplinkState.Disconnected;
            context.LastError = "reconnecting with reloaded settings";
            Log.Disconnected(context.Logger, context.LastError);
            await status.GoOfflineAsync(client).ConfigureAwait(false);
            return true;
        }

        var why = reason == lost ? lost.Result : reason == failed.Task ? failed.Task.Result : "publisher stopped";
        context.State = UplinkState.Disconnected;
        context.LastError = why;
        Log.Disconnected(context.Logger, why);
        if (client.IsConnected)
        {
            try
            {
                using var bounded = new CancellationTokenSource(TimeSpan.FromSeconds(5), context.NetworkTime);
                await client.DisconnectAsync(bounded.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                // The connection is being abandoned anyway.
            }
        }

        return false;
    }

    // A call to the broker that can take at most the client's timeout: beats while it may still be running.
    private Task<T> Bounded<T>(Task<T> call) =>
        context.Heartbeat.WaitBeatingAsync(call, UplinkWatchdog.CallAllowance(context.Options.Mqtt), UplinkWatchdog.BeatInterval, context.Time);

    private Task Bounded(Task call) =>
        context.Heartbeat.WaitBeatingAsync(call, UplinkWatchdog.CallAllowance(context.Options.Mqtt), UplinkWatchdog.BeatInterval, context.Time);

    // A refused CONNECT names its reason; only these three are about the station's credentials.
    private static string? AuthRefusal(Exception e) =>
        e is BrokerRefusedException { Code: 0x86 or 0x87 or 0x8C } refused ? refused.CodeName : null;

    /// <summary>
    /// After a refused or lost connection: the next broker of the cluster is tried at once, and only when
    /// every one has failed in a row does the loop back off (so a dead node costs a fast failover, while a
    /// dead cluster is not hammered).
    /// </summary>
    private TimeSpan NextBroker()
    {
        var count = context.Options.Mqtt.Endpoints().Count;
        _broker = (_broker + 1) % count;
        if (++_brokersFailed < count)
        {
            return TimeSpan.Zero;
        }

        _brokersFailed = 0;
        return NextBackoff();
    }

    private TimeSpan NextBackoff()
    {
        var r = context.Options.Reconnect;
        var exp = r.Min.TotalMilliseconds * Math.Pow(2, Math.Min(_attempt, 20));
        _attempt++;
        return Jitter(TimeSpan.FromMilliseconds(Math.Min(exp, r.Max.TotalMilliseconds)));
    }

    // Half fixed, half random: spreads a district's stations out after a hub outage without ever
    // retrying sooner than half the nominal delay.
#pragma warning disable CA5394 // jitter, not security
    private static TimeSpan Jitter(TimeSpan delay) =>
        TimeSpan.FromMilliseconds(delay.TotalMilliseconds * (0.5 + (Random.Shared.NextDouble() * 0.5)));
#pragma warning restore CA5394
}
