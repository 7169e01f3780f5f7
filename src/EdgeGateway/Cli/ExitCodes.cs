namespace EdgeGateway.Cli;

/// <summary>The contract's exit codes.</summary>
public static class ExitCodes
{
    public const int Success = 0;

    /// <summary>Operational failure: device or broker unreachable, service not running.</summary>
    public const int Failure = 1;

    /// <summary>Invalid usage or invalid configuration.</summary>
    public const int Usage = 2;
}
