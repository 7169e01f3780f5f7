using EdgeGateway.Hub.Internal;
using Microsoft.Extensions.Logging;

namespace EdgeGateway.Hub.Storage;

/// <summary>
/// Parses and writes a batch; a batch PostgreSQL refuses is written one message at a time, and a message
/// it still refuses goes to <c>rejected</c> with the database's reason, so no payload can stop the
/// receiver. Throws only when the database itself is unusable (the caller returns the deliveries).
/// </summary>
public sealed class BatchStore(HubWriter writer, MessageParser parser, ILogger logger)
{
    /// <summary>The database itself is unusable (the deliveries go back to the broker), as opposed to a bad message.</summary>
    public static bool IsDatabaseDown(Exception e) => e is Npgsql.NpgsqlException or TimeoutException or InvalidOperationException;

    /// <summary>
    /// Fills <paramref name="batch"/> with what is waiting, up to <paramref name="max"/>, without waiting
    /// for more than the first: a quiet broker still gets each message committed at once. False once the
    /// reader is completed (the connection is gone).
    /// </summary>
    public static async ValueTask<bool> NextBatchAsync<T>(System.Threading.Channels.ChannelReader<T> reader, List<T> batch, int max, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(reader);
        ArgumentNullException.ThrowIfNull(batch);
        if (!await reader.WaitToReadAsync(ct).ConfigureAwait(false))
        {
            return false;
        }

        batch.Clear();
        while (batch.Count < max && reader.TryRead(out var item))
        {
            batch.Add(item);
        }

        return true;
    }

    public async Task StoreAsync(IReadOnlyList<Incoming> batch, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(batch);
        var messages = new List<HubMessage>(batch.Count);
        var rejected = new List<RejectedMessage>();
        foreach (var incoming in batch)
        {
            var (message, bad) = parser.Parse(incoming);
            if (message is not null)
            {
                message.Received = incoming.Received;
                messages.Add(message);
            }
            else if (bad is not null)
            {
                Log.Rejected(logger, bad.Topic, bad.Reason);
                rejected.Add(bad);
            }
        }

        try
        {
            await writer.WriteAsync(messages, rejected, ct).ConfigureAwait(false);
        }
        catch (Npgsql.PostgresException e) when (batch.Count > 1 || messages.Count > 0)
        {
            Log.BatchFailed(logger, e, batch.Count);
            foreach (var incoming in batch)
            {
                await StoreOneAsync(incoming, ct).ConfigureAwait(false);
            }
        }
    }

    private async Task StoreOneAsync(Incoming incoming, CancellationToken ct)
    {
        var (message, bad) = parser.Parse(incoming);
        if (message is not null)
        {
            message.Received = incoming.Received;
        }

        try
        {
            await writer.WriteAsync(message is null ? [] : [message], bad is null ? [] : [bad], ct).ConfigureAwait(false);
        }
        catch (Npgsql.PostgresException e) when (message is not null)
        {
            var reason = $"database refused it: {e.MessageText}";
            Log.Rejected(logger, incoming.Topic, reason);
            await writer.WriteAsync([], [new RejectedMessage(incoming.Topic, incoming.Body, reason)], ct).ConfigureAwait(false);
        }
    }
}
