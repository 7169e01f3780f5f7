namespace EdgeGateway.Configuration;

/// <summary>One problem in a configuration file, located so a technician can go straight to it.</summary>
/// <param name="File">The file as the user named it.</param>
/// <param name="Mark">1-based line and column.</param>
/// <param name="Path">The field path, e.g. <c>sensors[2].modbus.slave</c>; empty for file-level problems.</param>
/// <param name="Message">What is wrong and, where we can tell, what was meant.</param>
public sealed record ConfigError(string File, SourceMark Mark, string Path, string Message)
{
    /// <summary><c>FILE:LINE:COLUMN: path: message</c>.</summary>
    public override string ToString() => Path.Length == 0
        ? $"{File}:{Mark.Line}:{Mark.Column}: {Message}"
        : $"{File}:{Mark.Line}:{Mark.Column}: {Path}: {Message}";
}

/// <summary>The outcome of loading station.yaml: the configuration, or the problems found in it.</summary>
public sealed class ConfigLoadResult
{
    /// <summary>
    /// The most problems kept and printed; past it a technician fixes the first ones and tries again, and a
    /// hostile file cannot fill a terminal, the journal or an event with millions of lines.
    /// </summary>
    public const int MaxErrorsKept = 100;

    internal ConfigLoadResult(string file, StationConfig? config, IReadOnlyList<ConfigError> errors, int errorCount = -1)
    {
        File = file;
        Errors = errors;
        ErrorCount = Math.Max(errorCount, errors.Count);
        Config = errors.Count == 0 ? config : null;
    }

    public string File { get; }

    /// <summary>The configuration; null when <see cref="Errors"/> is not empty.</summary>
    public StationConfig? Config { get; }

    /// <summary>The first <see cref="MaxErrorsKept"/> problems, in file order.</summary>
    public IReadOnlyList<ConfigError> Errors { get; }

    /// <summary>How many problems were found, including those not kept.</summary>
    public int ErrorCount { get; }

    public bool IsValid => Config is not null;

    /// <summary>One line per kept problem, then <c>... and N more</c> when some were not kept.</summary>
    public IReadOnlyList<string> ErrorLines()
    {
        var lines = Errors.Select(e => e.ToString()).ToList();
        if (ErrorCount > Errors.Count)
        {
            lines.Add($"... and {ErrorCount - Errors.Count} more");
        }

        return lines;
    }
}
