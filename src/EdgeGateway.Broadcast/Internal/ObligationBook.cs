using EdgeGateway.Core.Alerting;

namespace EdgeGateway.Broadcast.Internal;

/// <summary>
/// The broadcast the village is owed and how often its attempts failed; guarded by the controller's lock.
/// Failed attempts are retried with a doubling back-off (<see cref="FirstRetry"/> up to <see cref="MaxRetry"/>):
/// a dead amplifier or sound card must not turn into a relay-clicking loop, and a repaired one must not wait long.
/// </summary>
internal sealed class ObligationBook
{
    public static readonly TimeSpan FirstRetry = TimeSpan.FromSeconds(30);
    public static readonly TimeSpan MaxRetry = TimeSpan.FromMinutes(10);

    private int _failures;

    public WarningObligation? Current { get; private set; }

    /// <summary>Puts <paramref name="next"/> in force; false when the same broadcast was already owed (it keeps its history).</summary>
    public bool Set(WarningObligation? next)
    {
        if (next?.Key == Current?.Key)
        {
            return false;
        }

        Current = next;
        _failures = 0;
        return true;
    }

    public bool Owes(BroadcastRequest request) => Current is { } owed && request.Key == owed.Key;

    /// <summary>Counts a failed attempt; returns how long to wait before the next.</summary>
    public TimeSpan Failed()
    {
        _failures++;
        var delay = FirstRetry * Math.Pow(2, Math.Min(_failures - 1, 16));
        return delay < MaxRetry ? delay : MaxRetry;
    }
}
