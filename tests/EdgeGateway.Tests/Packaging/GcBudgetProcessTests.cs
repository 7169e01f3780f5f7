using System.Text.Json.Nodes;
using EdgeGateway.Cli;

namespace EdgeGateway.Tests.Packaging;

/// <summary>
/// The youngest generation's budget the station's GC runs with (1 MB; see EdgeGateway.csproj) is the one the build
/// sets, in the JIT build (runtime configuration) and in the Native AOT build the .deb ships (compiled into the
/// executable: that runtime reads no environment variable for it). A running station reports it in its health.
/// </summary>
public sealed class GcBudgetProcessTests
{
    private const long Budget = 1024 * 1024;
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);

    [Theory]
    [InlineData("jit")]
    [InlineData("native-aot")]
    public async Task Run_StatusHealth_ShowsTheYoungestGenerationBudgetTheBuildSets(string build)
    {
        using var dir = new TempDirectory();
        var config = new StationYaml("gc-01", dir)
            .DigitalSensor("flood-switch", 27)
            .Alerting("{ id: watch, severity: Moderate }", "{ id: flood, sensor: flood-switch, when: active, level: watch }")
            .Write();
        var aot = build == "native-aot" ? Path.Combine(await PublishedBuilds.GetAsync("linux-x64"), "edgegw") : null;
        using var station = aot is null ? EdgegwProcess.Start("run", "--config", config) : TestProcess.Start(aot, "run", "--config", config);
        await station.WaitForLineAsync("Station gc-01 started", Patience);

        string[] status = ["status", "--json", "--config", config];
        var (code, stdout, stderr) = aot is null ? await EdgegwProcess.RunAsync(status) : await TestProcess.RunAsync(aot, status);

        Assert.True(code == ExitCodes.Success, stderr);
        var health = JsonNode.Parse(stdout)!["health"]!;
        Assert.Equal(Budget, health["gcGen0MaxBudgetBytes"]!.GetValue<long>());
        Assert.True(health["managedHeapBytes"]!.GetValue<long>() > 0, stdout);
        await station.TerminateAsync();
        Assert.Equal(ExitCodes.Success, await station.WaitForExitAsync(Patience));
    }
}
