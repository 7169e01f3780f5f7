using System.Globalization;

namespace EdgeGateway.Hosting.Watchdog;

/// <summary>
/// The watchdog systemd asked for: <c>WATCHDOG_USEC</c> (the unit's WatchdogSec in microseconds) and,
/// when set, <c>WATCHDOG_PID</c> (the process that must ping; another process's value is ignored).
/// </summary>
public sealed record WatchdogSettings(TimeSpan? Timeout)
{
    public static WatchdogSettings Disabled { get; } = new((TimeSpan?)null);

    public bool Enabled => Timeout is not null;

    /// <summary>systemd's advice: ping at half the timeout, so one late ping is not a restart.</summary>
    public TimeSpan PingInterval => (Timeout ?? TimeSpan.Zero) / 2;

    public static WatchdogSettings FromEnvironment() =>
        FromVariables(Environment.GetEnvironmentVariable, Environment.ProcessId);

    public static WatchdogSettings FromVariables(Func<string, string?> variable, int processId)
    {
        ArgumentNullException.ThrowIfNull(variable);
        var pid = variable("WATCHDOG_PID");
        if (!string.IsNullOrEmpty(pid)
            && (!int.TryParse(pid, NumberStyles.None, CultureInfo.InvariantCulture, out var forPid) || forPid != processId))
        {
            return Disabled;
        }

        var usec = variable("WATCHDOG_USEC");
        if (string.IsNullOrEmpty(usec)
            || !long.TryParse(usec, NumberStyles.None, CultureInfo.InvariantCulture, out var microseconds)
            || microseconds <= 0)
        {
            return Disabled;
        }

        return new WatchdogSettings(TimeSpan.FromMicroseconds(microseconds));
    }
}
