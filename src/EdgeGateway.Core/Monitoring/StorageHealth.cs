namespace EdgeGateway.Core.Monitoring;

/// <summary>One store that cannot write, since when, and the last error it met.</summary>
public sealed record StorageFault(string Store, string Error, DateTimeOffset Since);

/// <summary>A store that started failing (<see cref="Fault"/> set) or wrote again (<see cref="Fault"/> null).</summary>
public sealed record StorageChange(string Store, StorageFault? Fault, DateTimeOffset Time, TimeSpan? Lasted);

/// <summary>
/// Where the station's stores (uplink outbox, command store, alert state, readings history) say whether their
/// last write worked. A full or failing disk must not stop the station, so a store that cannot write keeps
/// going from memory and reports here; the host turns each start and end of a fault into an event and shows
/// the current ones in <c>status</c>. Reporting never throws and costs nothing while nothing changes.
/// </summary>
public sealed class StorageHealth(TimeProvider time)
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, StorageFault> _faults = new(StringComparer.Ordinal);

    /// <summary>Raised outside any lock, once when a store starts failing and once when it writes again.</summary>
    public event Action<StorageChange>? Changed;

    /// <summary>The stores failing now, by name.</summary>
    public IReadOnlyList<StorageFault> Faults
    {
        get
        {
            lock (_lock)
            {
                return [.. _faults.Values.OrderBy(f => f.Store, StringComparer.Ordinal)];
            }
        }
    }

    /// <summary>A write of <paramref name="store"/> failed with <paramref name="error"/>.</summary>
    public void Failed(string store, string error)
    {
        StorageFault fault;
        lock (_lock)
        {
            if (_faults.TryGetValue(store, out var known))
            {
                // Same fault going on: keep its start, update what it says now.
                _faults[store] = known with { Error = error };
                return;
            }

            fault = new StorageFault(store, error, time.GetUtcNow());
            _faults[store] = fault;
        }

        Raise(new StorageChange(store, fault, fault.Since, null));
    }

    /// <summary>A write of <paramref name="store"/> worked.</summary>
    public void Succeeded(string store)
    {
        StorageFault? ended;
        lock (_lock)
        {
            if (!_faults.Remove(store, out ended))
            {
                return;
            }
        }

        var now = time.GetUtcNow();
        Raise(new StorageChange(store, null, now, now - ended.Since));
    }

    private void Raise(StorageChange change)
    {
        try
        {
            Changed?.Invoke(change);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // A listener's failure must not turn a store's report into a crash of the store.
        }
    }
}
