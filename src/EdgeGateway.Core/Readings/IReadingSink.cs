namespace EdgeGateway.Core.Readings;

/// <summary>
/// Where acquisition delivers every reading it takes (good or not), in the order taken per sensor.
/// The station pipeline implements it: history, rules, telemetry. Implementations must not block
/// the caller for I/O (queue internally) and never throw.
/// </summary>
public interface IReadingSink
{
    void Publish(Reading reading);
}
