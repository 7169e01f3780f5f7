using EdgeGateway.Core.Readings;

namespace EdgeGateway.Acquisition.Sensors;

/// <summary>The names of <see cref="Quality"/> values as the hub and status show them (kebab case).</summary>
public static class QualityText
{
    public static string Of(Quality quality) => quality switch
    {
        Quality.Good => "good",
        Quality.CommFault => "comm-fault",
        Quality.OutOfRange => "out-of-range",
        Quality.Stale => "stale",
        _ => throw new ArgumentOutOfRangeException(nameof(quality), quality, null),
    };
}
