namespace EdgeGateway.Tests.Packaging;

/// <summary>Runs the repository's scripts and tools as a technician or CI would, with a timeout.</summary>
internal static class ScriptRunner
{
    public static string RepoRoot => RepositoryRoot.Path;

    public static Task<ProcessResult> RunAsync(
        string fileName,
        IEnumerable<string> arguments,
        TimeSpan timeout,
        IReadOnlyDictionary<string, string>? environment = null,
        string? workingDirectory = null) =>
        TestProcess.RunAsync(fileName, arguments, timeout, environment?.ToDictionary(e => e.Key, e => (string?)e.Value), workingDirectory ?? RepoRoot);

    public static Task<ProcessResult> RunScriptAsync(string script, TimeSpan timeout, params string[] arguments) =>
        RunAsync("bash", [Path.Combine(RepoRoot, script), .. arguments], timeout);
}
