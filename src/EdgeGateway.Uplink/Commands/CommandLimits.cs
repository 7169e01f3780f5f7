namespace EdgeGateway.Uplink.Commands;

/// <summary>The time limits of the command contract.</summary>
public static class CommandLimits
{
    /// <summary><c>exp - iat</c> may not exceed this.</summary>
    public static readonly TimeSpan MaxLifetime = TimeSpan.FromHours(1);

    /// <summary><c>iat</c> may be at most this far ahead of the station's (plausible) clock.</summary>
    public static readonly TimeSpan MaxFutureSkew = TimeSpan.FromMinutes(5);
}
