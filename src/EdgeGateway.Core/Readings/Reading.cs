namespace EdgeGateway.Core.Readings;

/// <summary>
/// One observation of one sensor, stamped with the time it was taken (never the time it is sent).
/// For rain sensors <see cref="Value"/> is the rainfall in mm since the previous reading of that sensor;
/// for every other kind it is the engineering value. A reading whose quality is not Good carries NaN.
/// </summary>
public readonly record struct Reading(string SensorId, DateTimeOffset Time, double Value, Quality Quality)
{
    public bool IsGood => Quality == Quality.Good;
}
