using System.Globalization;

namespace EdgeGateway.Tests.Packaging;

public sealed class SystemdUnitTests
{
    private const string UnitPath = "systemd/edge-gateway.service";
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(2);

    [Fact]
    public async Task CheckUnit_RepositoryUnit_VerifiesCleanWithExposureAtMostThree()
    {
        var result = await ScriptRunner.RunScriptAsync("scripts/check-unit.sh", Timeout);

        Assert.True(result.ExitCode == 0, result.ToString());
        var line = Assert.Single(result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("exposure=", line, StringComparison.Ordinal);
        var exposure = double.Parse(line["exposure=".Length..], CultureInfo.InvariantCulture);
        Assert.InRange(exposure, 0.0, 3.0);
    }

    [Fact]
    public async Task CheckUnit_UnitWithUnknownSetting_Fails()
    {
        using var dir = new TempDirectory();
        var text = await File.ReadAllTextAsync(Path.Combine(ScriptRunner.RepoRoot, UnitPath));
        var broken = dir.File("edge-gateway.service");
        await File.WriteAllTextAsync(broken, text.Replace("Type=notify", "Type=notify-please", StringComparison.Ordinal));

        var result = await ScriptRunner.RunScriptAsync("scripts/check-unit.sh", Timeout, broken);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("not clean", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CheckUnit_UnhardenedUnit_FailsOnExposure()
    {
        using var dir = new TempDirectory();
        var bare = dir.File("edge-gateway.service");
        await File.WriteAllTextAsync(bare, "[Service]\nType=notify\nExecStart=/usr/bin/edgegw run\n");

        var result = await ScriptRunner.RunScriptAsync("scripts/check-unit.sh", Timeout, bare);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("is above 3.0", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Unit_Settings_RestartAHungServiceAndKeepTheJitWorking()
    {
        var sections = ReadUnit(Path.Combine(ScriptRunner.RepoRoot, UnitPath));
        var unit = sections["Unit"];
        var service = sections["Service"];

        Assert.Equal(["notify"], service["Type"]);
        Assert.Equal(["main"], service["NotifyAccess"]);
        Assert.Equal(["30s"], service["WatchdogSec"]);
        Assert.Equal(["always"], service["Restart"]);
        // StartLimit* belong to [Unit]; in [Service] systemd ignores them.
        Assert.True(unit.ContainsKey("StartLimitIntervalSec") && unit.ContainsKey("StartLimitBurst"));
        Assert.False(service.ContainsKey("StartLimitBurst"));
        Assert.Equal(["/usr/bin/edgegw run --config /etc/edge-gateway/station.yaml"], service["ExecStart"]);
        Assert.Equal(["/bin/kill -HUP $MAINPID"], service["ExecReload"]);
        Assert.Equal(["edge-gateway"], service["User"]);
        Assert.Equal(["gpio dialout i2c audio"], service["SupplementaryGroups"]);
        Assert.Equal(["closed"], service["DevicePolicy"]);
        Assert.Contains("char-gpiochip rw", service["DeviceAllow"]);
        Assert.Contains("char-i2c rw", service["DeviceAllow"]);
        Assert.Contains("char-alsa rw", service["DeviceAllow"]);
        Assert.Contains("char-ttyAMA rw", service["DeviceAllow"]);
        Assert.Contains("AF_UNIX", service["RestrictAddressFamilies"].Single(), StringComparison.Ordinal);
        Assert.Equal(["256M"], service["MemoryMax"]);
        Assert.Equal(["edge-gateway"], service["StateDirectory"]);
        Assert.Equal(["edge-gateway"], service["RuntimeDirectory"]);
        Assert.Equal(["edge-gateway"], service["ConfigurationDirectory"]);
        Assert.Equal([""], service["CapabilityBoundingSet"]);
        // The package ships the Native AOT build, which never needs writable+executable memory (a JIT build would not start).
        Assert.Equal(["yes"], service["MemoryDenyWriteExecute"]);
    }

    /// <summary>Section -> key -> values in file order (a key may repeat, as DeviceAllow does).</summary>
    private static Dictionary<string, Dictionary<string, List<string>>> ReadUnit(string path)
    {
        var sections = new Dictionary<string, Dictionary<string, List<string>>>(StringComparer.Ordinal);
        Dictionary<string, List<string>>? current = null;
        foreach (var raw in File.ReadAllLines(path))
        {
            var line = raw.Trim();
            if (line.Length == 0 || line[0] is '#' or ';')
            {
                continue;
            }

            if (line[0] == '[')
            {
                current = new Dictionary<string, List<string>>(StringComparer.Ordinal);
                sections[line.Trim('[', ']')] = current;
                continue;
            }

            Assert.NotNull(current);
            var eq = line.IndexOf('=', StringComparison.Ordinal);
            var key = line[..eq];
            if (!current.TryGetValue(key, out var values))
            {
                current[key] = values = [];
            }

            values.Add(line[(eq + 1)..]);
        }

        return sections;
    }
}
