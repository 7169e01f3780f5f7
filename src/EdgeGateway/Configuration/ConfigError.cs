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

/// <summary>The outcome of loading station.yaml: the configuration, or every problem found in it.</summary>
public sealed class ConfigLoadResult
{
    internal ConfigLoadResult(string file, StationConfig? config, IReadOnlyList<ConfigError> errors)
    {
        File = file;
        Errors = errors;
        Config = errors.Count == 0 ? config : null;
    }

    public string File { get; }

    /// <summary>The configuration; null when <see cref="Errors"/> is not empty.</summary>
    public StationConfig? Config { get; }

    /// <summary>Every problem, in file order.</summary>
    public IReadOnlyList<ConfigError> Errors { get; }

    public bool IsValid => Config is not null;
}
