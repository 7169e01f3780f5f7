namespace EdgeGateway.Core.Readings;

/// <summary>How far a reading can be trusted. Rules act only on <see cref="Good"/> readings.</summary>
public enum Quality
{
    /// <summary>Read from the device and inside the sensor's valid range.</summary>
    Good,

    /// <summary>No answer, a bad frame, an exception response or an absent device.</summary>
    CommFault,

    /// <summary>Read, but outside the sensor's valid range.</summary>
    OutOfRange,

    /// <summary>No good reading within three poll periods.</summary>
    Stale,
}
