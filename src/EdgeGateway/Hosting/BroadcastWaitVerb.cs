using System.Text.Json;
using System.Text.Json.Nodes;
using EdgeGateway.Control;
using EdgeGateway.Broadcast;

namespace EdgeGateway.Hosting;

/// <summary>
/// <c>broadcast.wait {id, waitMs?}</c>: how the request <c>id</c> (from broadcast.test|play|say) ended, as
/// <c>{"ended":true,"outcome","ok","error"?}</c>, or <c>{"ended":false}</c> when it has not ended within
/// <c>waitMs</c> (default and at most 20 s: within the socket's request time, so a client asks again).
/// Endings are remembered from the moment the verb exists (the control server is built at start), so one that
/// came before the question is still answered.
/// </summary>
public sealed class BroadcastWaitVerb : IControlVerb
{
    public const string VerbName = "broadcast.wait";

    /// <summary>The longest one request waits.</summary>
    public static readonly TimeSpan MaxWait = TimeSpan.FromSeconds(20);

    private const int Remembered = 256;

    private readonly Lock _lock = new();
    private readonly Dictionary<Guid, TaskCompletionSource<BroadcastEnd>> _ends = [];
    private readonly Queue<Guid> _order = new();
    private readonly TimeProvider _time;

    public BroadcastWaitVerb(BroadcastController controller, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(controller);
        _time = time;
        controller.Ended += end => Slot(end.Id).TrySetResult(end);
    }

    public string Name => VerbName;

    public async Task<JsonNode?> HandleAsync(JsonObject args, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(args);
        if (args["id"] is not JsonValue idNode || idNode.GetValueKind() != JsonValueKind.String || !Guid.TryParse(idNode.GetValue<string>(), out var id))
        {
            throw new ControlRequestException("id must be the id a broadcast request was answered with");
        }

        var wait = MaxWait;
        if (args["waitMs"] is JsonValue w && w.TryGetValue<int>(out var ms) && ms >= 0)
        {
            wait = TimeSpan.FromMilliseconds(Math.Min(ms, MaxWait.TotalMilliseconds));
        }

        var slot = Slot(id);
        try
        {
            var end = await slot.Task.WaitAsync(wait, _time, cancellationToken).ConfigureAwait(false);
            var result = new JsonObject { ["ended"] = true, ["outcome"] = end.Outcome, ["ok"] = end.Ok };
            if (end.Error is not null)
            {
                result["error"] = end.Error;
            }

            return result;
        }
        catch (TimeoutException)
        {
            return new JsonObject { ["ended"] = false };
        }
    }

    private TaskCompletionSource<BroadcastEnd> Slot(Guid id)
    {
        lock (_lock)
        {
            if (_ends.TryGetValue(id, out var slot))
            {
                return slot;
            }

            slot = new TaskCompletionSource<BroadcastEnd>(TaskCreationOptions.RunContinuationsAsynchronously);
            _ends[id] = slot;
            _order.Enqueue(id);
            while (_order.Count > Remembered)
            {
                _ends.Remove(_order.Dequeue());
            }

            return slot;
        }
    }
}
