namespace EdgeGateway.Tests.Packaging;

/// <summary>
/// The Raspberry Pi build the .deb ships (linux-arm64, Native AOT, cross-compiled on this machine) run
/// under qemu user-mode emulation with the Debian arm64 cross libraries, as CI has no arm64 machine.
/// </summary>
public sealed class Arm64Tests
{
    private const string Sysroot = "/usr/aarch64-linux-gnu";
    // Emulated code runs several times slower, and the CI machine is loaded.
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(10);

    [Fact]
    public async Task Version_UnderQemuAarch64_PrintsTheProductVersion()
    {
        var publish = await PublishedBuilds.GetAsync("linux-arm64");

        var result = await RunUnderQemuAsync(publish, "--version");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.StartsWith(PublishedBuilds.ProductVersion, result.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ConfigValidate_UnderQemuAarch64_AcceptsTheExampleAndRejectsABrokenFile()
    {
        var publish = await PublishedBuilds.GetAsync("linux-arm64");
        var example = Path.Combine(ScriptRunner.RepoRoot, "firmware-config/examples/station.yaml");
        using var dir = new TempDirectory("edgegw-arm64-");
        var broken = dir.File("station.yaml");
        var text = await File.ReadAllTextAsync(example);
        await File.WriteAllTextAsync(broken, text.Replace("retries: 2", "retries: many", StringComparison.Ordinal));

        var good = await RunUnderQemuAsync(publish, "config", "validate", example);
        var bad = await RunUnderQemuAsync(publish, "config", "validate", broken);

        Assert.True(good.ExitCode == 0, good.ToString());
        Assert.Equal(2, bad.ExitCode);
        Assert.Contains(broken + ":", bad.Stderr, StringComparison.Ordinal);
        Assert.Contains("retries", bad.Stderr, StringComparison.Ordinal);
    }

    /// <summary>
    /// The whole station on arm64: `edgegw demo` (embedded broker, Modbus simulator, simulated rain gauge,
    /// rules, broadcaster with its WAV, uplink, signed hub commands) with the typhoon compressed into a minute.
    /// </summary>
    [Fact]
    public async Task Demo_UnderQemuAarch64_RaisesAndClearsTheStorm()
    {
        var publish = await PublishedBuilds.GetAsync("linux-arm64");
        using var dir = new TempDirectory("edgegw-arm64-demo-");

        var result = await RunUnderQemuAsync(publish, "demo", "--duration", "60s", "--json", "--out", dir.Path);

        Assert.True(result.ExitCode == 0, result.ToString());
        var summary = System.Text.Json.Nodes.JsonNode.Parse(result.Stdout)!;
        Assert.True(summary["ok"]!.GetValue<bool>(), result.Stdout);
        var played = summary["broadcastsPlayed"]!.AsArray().Select(p => p!.GetValue<string>()).ToList();
        Assert.Contains("evacuate", played);
        Assert.Equal("all-clear", played[^1]);
        Assert.Empty(summary["failures"]!.AsArray());
        Assert.True(File.Exists(Path.Combine(dir.Path, "broadcast.wav")), "no broadcast.wav in " + dir.Path);
    }

    [Fact]
    public async Task Publish_Arm64_IsANativeAarch64ExecutableWithoutTheRuntime()
    {
        var publish = await PublishedBuilds.GetAsync("linux-arm64");

        // 183 = EM_AARCH64.
        Assert.Equal(183, await PublishedBuilds.ElfMachineAsync(Path.Combine(publish, "edgegw")));
        var files = Directory.GetFiles(publish).Select(Path.GetFileName).ToList();
        Assert.DoesNotContain("libcoreclr.so", files);
        Assert.DoesNotContain(files, f => f!.EndsWith(".dll", StringComparison.Ordinal));
        // SQLite (outbox, history) is a native library beside the executable, built for the same machine.
        Assert.Equal(183, await PublishedBuilds.ElfMachineAsync(Path.Combine(publish, "libe_sqlite3.so")));
    }

    internal static Task<ProcessResult> RunUnderQemuAsync(string publish, params string[] arguments)
    {
        Assert.True(File.Exists("/usr/bin/qemu-aarch64"), "qemu-aarch64 is missing: apt-get install qemu-user");
        Assert.True(File.Exists(Path.Combine(Sysroot, "lib/ld-linux-aarch64.so.1")), "arm64 libraries missing: apt-get install libc6-arm64-cross libstdc++6-arm64-cross");
        Assert.True(File.Exists(Path.Combine(Sysroot, "lib/libssl.so.3")), "arm64 OpenSSL missing from " + Sysroot + ": scripts/test.sh adds it");
        return ScriptRunner.RunAsync(
            "qemu-aarch64",
            ["-L", Sysroot, Path.Combine(publish, "edgegw"), .. arguments],
            Timeout);
    }
}
