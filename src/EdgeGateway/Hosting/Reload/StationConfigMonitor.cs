using EdgeGateway.Configuration;

namespace EdgeGateway.Hosting.Reload;

/// <summary>
/// The configuration in force and why the last reload was refused, for the parts of the station that
/// follow changes (subscribe to <see cref="Changed"/>) and for <c>edgegw status</c>.
/// </summary>
public interface IStationConfigMonitor
{
    StationConfig Current { get; }

    /// <summary>SHA-256 of the file the current configuration was read from, lowercase hex.</summary>
    string CurrentHash { get; }

    /// <summary>When the current configuration was applied (start or reload).</summary>
    DateTimeOffset AppliedAt { get; }

    /// <summary>The last refused reload, until a later one is applied; null when none is pending.</summary>
    ConfigRejection? LastRejection { get; }

    /// <summary>
    /// Sections that differ from the configuration the service started with and that no part of the
    /// station applies live: they take effect at the next restart. Empty when nothing waits.
    /// </summary>
    IReadOnlyList<string> RestartNeededFor { get; }

    /// <summary>
    /// Raised after a valid file has replaced <see cref="Current"/>, on the reloading thread. Handlers
    /// must return quickly and never throw; alarm state and history are theirs to keep.
    /// </summary>
    event EventHandler<StationConfigChangedEventArgs>? Changed;
}

public sealed class StationConfigChangedEventArgs(StationConfig previous, StationConfig current, IReadOnlyList<string> restartNeededFor) : EventArgs
{
    public StationConfig Previous { get; } = previous;

    public StationConfig Current { get; } = current;

    /// <summary>
    /// Sections that differ from what the service started with and take effect only when it restarts
    /// (no <see cref="IConfigApplier"/> covers them), e.g. <c>storage</c>.
    /// </summary>
    public IReadOnlyList<string> RestartNeededFor { get; } = restartNeededFor;
}

/// <summary>A refused file: when, its hash, and every problem as <c>FILE:LINE:COLUMN: message</c>.</summary>
public sealed record ConfigRejection(DateTimeOffset Time, string Hash, IReadOnlyList<string> Errors);

/// <summary>The holder behind <see cref="IStationConfigMonitor"/>; only the reloader changes it.</summary>
public sealed class StationConfigMonitor : IStationConfigMonitor
{
    private readonly Lock _gate = new();
    private State _state;

    public StationConfigMonitor(StationConfig initial, string initialHash, DateTimeOffset appliedAt)
    {
        ArgumentNullException.ThrowIfNull(initial);
        Started = initial;
        _state = new State(initial, initialHash, appliedAt, null, []);
    }

    /// <summary>The configuration the service started with (what sections needing a restart still run on).</summary>
    public StationConfig Started { get; }

    public event EventHandler<StationConfigChangedEventArgs>? Changed;

    public StationConfig Current => Volatile.Read(ref _state).Config;

    public string CurrentHash => Volatile.Read(ref _state).Hash;

    public DateTimeOffset AppliedAt => Volatile.Read(ref _state).AppliedAt;

    public ConfigRejection? LastRejection => Volatile.Read(ref _state).Rejection;

    public IReadOnlyList<string> RestartNeededFor => Volatile.Read(ref _state).RestartNeeded;

    /// <summary>SHA-256 of <paramref name="bytes"/>, lowercase hex: what status shows as the config hash.</summary>
    public static string Hash(ReadOnlySpan<byte> bytes) => Convert.ToHexStringLower(ConfigSha256.HashData(bytes));

    internal void Apply(StationConfig config, string hash, DateTimeOffset time, IReadOnlyList<string> restartNeededFor)
    {
        StationConfig previous;
        lock (_gate)
        {
            previous = _state.Config;
            Volatile.Write(ref _state, new State(config, hash, time, null, restartNeededFor));
        }

        Changed?.Invoke(this, new StationConfigChangedEventArgs(previous, config, restartNeededFor));
    }

    /// <summary>Corrects the sections waiting for a restart after the appliers ran (one refused its change).</summary>
    internal void SetRestartNeeded(IReadOnlyList<string> restartNeededFor)
    {
        lock (_gate)
        {
            Volatile.Write(ref _state, _state with { RestartNeeded = restartNeededFor });
        }
    }

    internal void Reject(ConfigRejection rejection)
    {
        lock (_gate)
        {
            Volatile.Write(ref _state, _state with { Rejection = rejection });
        }
    }

    private sealed record State(StationConfig Config, string Hash, DateTimeOffset AppliedAt, ConfigRejection? Rejection, IReadOnlyList<string> RestartNeeded);
}
