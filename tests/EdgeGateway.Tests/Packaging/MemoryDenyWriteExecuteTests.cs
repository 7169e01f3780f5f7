namespace EdgeGateway.Tests.Packaging;

/// <summary>
/// The unit's <c>MemoryDenyWriteExecute=yes</c>: the Native AOT build the .deb ships never asks for memory that is
/// both writable and executable, so the whole demo station runs under the seccomp filter systemd installs for it
/// (reproduced by <c>mdwe_exec.c</c> beside this file: no systemd runs the unit here).
/// </summary>
public sealed class MemoryDenyWriteExecuteTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(5);

    [Fact]
    public async Task Demo_UnderTheMemoryDenyWriteExecuteFilter_RaisesAndClearsTheStorm()
    {
        var publish = await PublishedBuilds.GetAsync("linux-x64");
        using var dir = new TempDirectory("edgegw-mdwe-");
        var filter = dir.File("mdwe_exec");
        var compile = await ScriptRunner.RunAsync(
            "gcc", ["-O2", "-o", filter, Path.Combine(ScriptRunner.RepoRoot, "tests/EdgeGateway.Tests/Packaging/mdwe_exec.c")], Timeout);
        Assert.True(compile.ExitCode == 0, compile.ToString());
        // The filter does refuse what the JIT needs (a JIT build of edgegw dies under it).
        var check = await ScriptRunner.RunAsync(filter, ["--check"], Timeout);
        Assert.True(check.ExitCode == 0, check.ToString());

        var result = await ScriptRunner.RunAsync(
            filter, [Path.Combine(publish, "edgegw"), "demo", "--duration", "60s", "--json", "--out", dir.File("demo")], Timeout);

        Assert.True(result.ExitCode == 0, result.ToString());
        var summary = System.Text.Json.Nodes.JsonNode.Parse(result.Stdout)!;
        Assert.True(summary["ok"]!.GetValue<bool>(), result.Stdout);
        Assert.Empty(summary["failures"]!.AsArray());
        Assert.Equal("all-clear", summary["broadcastsPlayed"]!.AsArray()[^1]!.GetValue<string>());
    }
}
