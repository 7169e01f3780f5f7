namespace EdgeGateway.Modbus.Simulation;

/// <summary>Applies a scenario's steps to a register map on time (scaled by a speed factor).</summary>
public static class ScenarioPlayer
{
    /// <summary>
    /// Applies each step when its time (divided by <paramref name="speed"/>) has passed since the call, and
    /// reports it to <paramref name="applied"/>. Steps at time 0 are applied before the first await, so a map is
    /// populated before a server starts answering from it. Returns when the last step has been applied.
    /// </summary>
    public static async Task PlayAsync(ModbusScenario scenario, ModbusRegisterMap map, double speed, TimeProvider time,
        Action<ScenarioStep>? applied = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(scenario);
        ArgumentNullException.ThrowIfNull(map);
        ArgumentNullException.ThrowIfNull(time);
        if (!double.IsFinite(speed) || speed <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(speed), speed, "speed must be a positive number");
        }

        var start = time.GetTimestamp();
        foreach (var step in scenario.Steps)
        {
            var due = step.At / speed;
            var wait = due - time.GetElapsedTime(start);
            if (wait > TimeSpan.Zero)
            {
                await Task.Delay(wait, time, cancellationToken).ConfigureAwait(false);
            }

            step.Apply(map);
            applied?.Invoke(step);
        }
    }
}
