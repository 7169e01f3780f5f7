namespace EdgeGateway.TestSupport;

/// <summary>
/// The built <c>edgegw</c> (beside the test assembly) run as its own process, as a technician or systemd would
/// run it, through <see cref="TestProcess"/>.
/// </summary>
public static class EdgegwProcess
{
    public static TestProcess Start(params string[] args) => Start(args, new Dictionary<string, string>());

    /// <summary>Starts edgegw with extra environment variables (e.g. a NOTIFY_SOCKET to report READY=1 to).</summary>
    public static TestProcess Start(IEnumerable<string> args, IReadOnlyDictionary<string, string> environment) =>
        TestProcess.Start(Dotnet, [Dll, .. args], Environment(environment));

    /// <summary>
    /// Starts edgegw as the child of <paramref name="shell"/> (a bash), which forwards SIGTERM. A copy
    /// of bash named <c>systemd</c> makes edgegw see what it sees when systemd starts it.
    /// </summary>
    public static TestProcess StartUnder(string shell, params string[] args) =>
        TestProcess.Start(shell,
            ["-c", "\"$@\" & child=$!; trap 'kill -TERM $child' TERM; wait $child; wait $child", "edgegw", Dotnet, Dll, .. args],
            Environment(new Dictionary<string, string>()));

    /// <summary>Runs to completion and returns the exit code.</summary>
    public static Task<ProcessResult> RunAsync(params string[] args) => RunAsync(args, TimeSpan.FromSeconds(60));

    /// <summary>Runs to completion within <paramref name="timeout"/> and returns the exit code.</summary>
    public static async Task<ProcessResult> RunAsync(IEnumerable<string> args, TimeSpan timeout)
    {
        using var process = TestProcess.Start(Dotnet, [Dll, .. args], Environment(new Dictionary<string, string>()));
        var code = await process.WaitForExitAsync(timeout);
        return new ProcessResult(code, process.StandardOutput, process.StandardError);
    }

    /// <summary>
    /// Runs <c><paramref name="wrapper"/> <paramref name="wrapperArgs"/> edgegw <paramref name="args"/></c> to completion
    /// within <paramref name="timeout"/>: edgegw under a program that measures it (e.g. GNU time).
    /// </summary>
    public static Task<ProcessResult> RunUnderAsync(string wrapper, IEnumerable<string> wrapperArgs, IEnumerable<string> args, TimeSpan timeout) =>
        TestProcess.RunAsync(wrapper, [.. wrapperArgs, Dotnet, Dll, .. args], timeout, Environment(new Dictionary<string, string>()));

    private static string Dll => Path.Combine(AppContext.BaseDirectory, "edgegw.dll");

    private static string Dotnet => System.Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet";

    // Not under systemd: plain console lines and no watchdog, whatever the test runner's environment says.
    private static Dictionary<string, string?> Environment(IReadOnlyDictionary<string, string> extra)
    {
        var environment = new Dictionary<string, string?>
        {
            ["INVOCATION_ID"] = null,
            ["NOTIFY_SOCKET"] = null,
            ["WATCHDOG_USEC"] = null,
            ["WATCHDOG_PID"] = null,
        };
        foreach (var (key, value) in extra)
        {
            environment[key] = value;
        }

        return environment;
    }
}
