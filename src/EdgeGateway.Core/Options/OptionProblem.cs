namespace EdgeGateway.Core.Options;

/// <summary>
/// One thing wrong with a value of a stage's options: <see cref="Field"/> names the setting as station.yaml spells
/// it (<c>poll</c>, <c>keepAlive</c>), so the station-file validator can report the message at that key's line.
/// </summary>
public readonly record struct OptionProblem(string Field, string Message)
{
    /// <summary>"field: message", or the message alone for a problem of the whole part (no field).</summary>
    public override string ToString() => Field.Length == 0 ? Message : $"{Field}: {Message}";
}

/// <summary>Value checks shared by the options of several stages, each written once.</summary>
public static class OptionChecks
{
    /// <summary>A GPIO line number (a chip offset): 0 or more.</summary>
    public static string? GpioLine(int line) => line < 0 ? $"{line} is not a GPIO line number" : null;

    /// <summary>A TCP port: 1-65535.</summary>
    public static string? TcpPort(int port) => port is < 1 or > 65535 ? $"{port} is not a TCP port (1-65535)" : null;

    /// <summary>A period that must pass before something happens again: longer than 0.</summary>
    public static string? Positive(TimeSpan value) => value <= TimeSpan.Zero ? "must be longer than 0" : null;

    /// <summary>A protocol timer with a one-second resolution: at least 1 s.</summary>
    public static string? AtLeastOneSecond(TimeSpan value) => value < TimeSpan.FromSeconds(1) ? "must be at least 1s" : null;
}
