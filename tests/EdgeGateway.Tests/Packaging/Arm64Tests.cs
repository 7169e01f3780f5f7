namespace EdgeGateway.Tests.Packaging;

/// <summary>
/// The Raspberry Pi build (linux-arm64, self-contained) run under qemu user-mode emulation with the
/// Debian arm64 cross libraries, as CI has no arm64 machine.
/// </summary>
public sealed class Arm64Tests
{
    private const string Sysroot = "/usr/aarch64-linux-gnu";
    // Emulated JIT start-up takes seconds on a loaded CI machine.
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(3);

    [Fact]
    public async Task Version_UnderQemuAarch64_PrintsTheProductVersion()
    {
        var publish = await PublishedBuilds.GetAsync("linux-arm64");

        var result = await RunUnderQemuAsync(publish, "--version");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.StartsWith(PublishedBuilds.ProductVersion, result.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Publish_Arm64_IsAnAarch64Executable()
    {
        var publish = await PublishedBuilds.GetAsync("linux-arm64");

        var header = new byte[20];
        await using (var file = File.OpenRead(Path.Combine(publish, "edgegw")))
        {
            await file.ReadExactlyAsync(header);
        }

        Assert.Equal("\u007fELF"u8.ToArray(), header[..4]);
        // e_machine (offset 18, little endian): 183 = EM_AARCH64.
        Assert.Equal(183, header[18] | (header[19] << 8));
    }

    internal static Task<ProcessResult> RunUnderQemuAsync(string publish, params string[] arguments)
    {
        Assert.True(File.Exists("/usr/bin/qemu-aarch64"), "qemu-aarch64 is missing: apt-get install qemu-user");
        Assert.True(File.Exists(Path.Combine(Sysroot, "lib/ld-linux-aarch64.so.1")), "arm64 libraries missing: apt-get install libc6-arm64-cross libstdc++6-arm64-cross");
        return ScriptRunner.RunAsync(
            "qemu-aarch64",
            ["-L", Sysroot, Path.Combine(publish, "edgegw"), .. arguments],
            Timeout,
            new Dictionary<string, string> { ["DOTNET_SYSTEM_GLOBALIZATION_INVARIANT"] = "1" });
    }
}
