using EdgeGateway.Uplink.Mqtt.Wire;
using EdgeGateway.Uplink.Internal;
using EdgeGateway.Uplink.Payloads;

namespace EdgeGateway.Uplink.Mqtt;

/// <summary>
/// The retained <c>P/S/status</c> message: the birth and heartbeat (online, with the station's health and the
/// queue depth), the will the broker publishes if the station vanishes, and the offline message a clean
/// disconnect sends itself (a clean DISCONNECT suppresses the will).
/// </summary>
internal sealed class StatusPublisher(UplinkContext context, Func<long> queueDepth)
{
    private Func<IReadOnlyDictionary<string, object?>>? _health;

    public void SetHealthProvider(Func<IReadOnlyDictionary<string, object?>> provider) => _health = provider;

    /// <summary>Publishes the retained online status (birth, heartbeat, answer to a status command).</summary>
    public async Task PublishAsync(BrokerConnection client, CancellationToken ct)
    {
        await client.PublishAsync(context.Topics.StatusTopic, Payload(online: true), retain: true, contentType: null, ct).ConfigureAwait(false);
    }

    /// <summary>Says offline and disconnects cleanly, within five seconds; a failure is only logged.</summary>
    public async Task GoOfflineAsync(BrokerConnection client)
    {
        if (!client.IsConnected)
        {
            return;
        }

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        try
        {
            // A clean DISCONNECT suppresses the will, so say it ourselves.
            await client.PublishAsync(context.Topics.StatusTopic, Payload(online: false), retain: true, contentType: null, timeout.Token)
                .ConfigureAwait(false);
            await client.DisconnectAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            Log.Disconnected(context.Logger, e.Message);
        }
    }

    /// <summary>The status payload; online it carries the health fields and the queue depth.</summary>
    public byte[] Payload(bool online)
    {
        IReadOnlyDictionary<string, object?>? health = null;
        if (online)
        {
            var fields = new Dictionary<string, object?>(StringComparer.Ordinal);
            try
            {
                if (_health?.Invoke() is { } h)
                {
                    foreach (var (k, v) in h)
                    {
                        fields[k] = v;
                    }
                }
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                fields["healthError"] = e.Message;
            }

            fields.TryAdd("queue", queueDepth());
            health = fields;
        }

        return PayloadWriter.Status(context.Options.StationId, Guid.NewGuid(), context.Time.GetUtcNow(), online, health);
    }
}
