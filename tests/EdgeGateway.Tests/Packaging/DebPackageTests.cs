namespace EdgeGateway.Tests.Packaging;

/// <summary>
/// Builds the packages with scripts/build-deb.sh once each, from the shared Native AOT publishes, and
/// inspects them with dpkg-deb.
/// </summary>
public sealed class DebPackageTests : IClassFixture<DebPackageTests.Packages>
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(5);
    private readonly Packages _packages;

    public DebPackageTests(Packages packages) => _packages = packages;

    [Fact]
    public async Task Info_ControlFields_NameVersionArchitectureDependsAndMaintainerScripts()
    {
        var deb = await _packages.GetAsync("amd64");

        var info = await DpkgDeb("--info", deb);

        Assert.Contains(" Package: edge-gateway\n", info, StringComparison.Ordinal);
        Assert.Contains($" Version: {PublishedBuilds.ProductVersion}\n", info, StringComparison.Ordinal);
        Assert.Contains(" Architecture: amd64\n", info, StringComparison.Ordinal);
        Assert.Matches(@" Depends: adduser, .*libssl3.*, espeak-ng\n", info);
        Assert.DoesNotMatch(@" Recommends: .*espeak-ng", info);
        foreach (var member in new[] { "conffiles", "control", "postinst", "prerm", "postrm" })
        {
            Assert.Matches($@"\d+ bytes,\s+\d+ lines\s+\*?\s+{member}\b", info);
        }
    }

    [Fact]
    public async Task Contents_StationFiles_InPlaceOwnedByRootWithModes()
    {
        var deb = await _packages.GetAsync("amd64");

        var contents = (await DpkgDeb("--contents", deb)).Split('\n', StringSplitOptions.RemoveEmptyEntries);

        Assert.All(contents, line => Assert.Contains(" root/root ", line, StringComparison.Ordinal));
        AssertEntry(contents, "-rwxr-xr-x", "./usr/lib/edge-gateway/edgegw");
        AssertEntry(contents, "lrwxrwxrwx", "./usr/bin/edgegw -> ../lib/edge-gateway/edgegw");
        AssertEntry(contents, "-rw-r--r--", "./lib/systemd/system/edge-gateway.service");
        AssertEntry(contents, "-rw-r--r--", "./etc/edge-gateway/station.yaml");
        AssertEntry(contents, "-rw-r--r--", "./lib/udev/rules.d/99-edge-gateway.rules");
        AssertEntry(contents, "-rw-r--r--", "./usr/lib/systemd/journald.conf.d/edge-gateway.conf");
        AssertEntry(contents, "-rw-r--r--", "./usr/share/doc/edge-gateway/README.md");
        // The broadcast messages station.yaml names, rendered by scripts/make-clips.sh.
        foreach (var clip in new[] { "prepare", "evacuate", "all-clear" })
        {
            AssertEntry(contents, "-rw-r--r--", $"./usr/share/edge-gateway/audio/{clip}.wav");
        }

        // Native AOT: the executable and the native libraries it loads; no .NET runtime, no assemblies,
        // no symbols.
        AssertEntry(contents, "-rw-r--r--", "./usr/lib/edge-gateway/libe_sqlite3.so");
        Assert.DoesNotContain(contents, line => line.EndsWith("/libcoreclr.so", StringComparison.Ordinal));
        Assert.DoesNotContain(
            contents,
            line => line.Contains("./usr/lib/edge-gateway/", StringComparison.Ordinal)
                && (line.EndsWith(".dll", StringComparison.Ordinal) || line.EndsWith(".pdb", StringComparison.Ordinal)
                    || line.EndsWith(".dbg", StringComparison.Ordinal) || line.EndsWith(".xml", StringComparison.Ordinal)));
        // Nothing in /var/lib: the station's data is created on the station and never shipped.
        Assert.DoesNotContain(contents, line => line.Contains("./var/", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Conffiles_OnlyTheStationConfiguration_ShippedAsTheExample()
    {
        var deb = await _packages.GetAsync("amd64");
        using var dir = new TempDirectory("edgegw-deb-");

        await DpkgDeb("--control", deb, dir.File("DEBIAN"));
        await DpkgDeb("--extract", deb, dir.File("root"));

        Assert.Equal("/etc/edge-gateway/station.yaml\n", await File.ReadAllTextAsync(dir.File("DEBIAN/conffiles")));
        Assert.Equal(
            await File.ReadAllBytesAsync(Path.Combine(ScriptRunner.RepoRoot, "firmware-config/examples/station.yaml")),
            await File.ReadAllBytesAsync(dir.File("root/etc/edge-gateway/station.yaml")));
        Assert.Equal(
            await File.ReadAllBytesAsync(Path.Combine(ScriptRunner.RepoRoot, "systemd/edge-gateway.service")),
            await File.ReadAllBytesAsync(dir.File("root/lib/systemd/system/edge-gateway.service")));
    }

    [Fact]
    public async Task MaintainerScripts_Shell_ParseAndKeepStationData()
    {
        var deb = await _packages.GetAsync("amd64");
        using var dir = new TempDirectory("edgegw-deb-");
        await DpkgDeb("--control", deb, dir.Path);

        foreach (var script in new[] { "postinst", "prerm", "postrm" })
        {
            var check = await ScriptRunner.RunAsync("sh", ["-n", dir.File(script)], Timeout);
            Assert.True(check.ExitCode == 0, $"{script}: {check}");
        }

        var postinst = await File.ReadAllTextAsync(dir.File("postinst"));
        Assert.Contains("adduser --system --group", postinst, StringComparison.Ordinal);
        Assert.Contains("for group in gpio dialout i2c audio", postinst, StringComparison.Ordinal);
        // Neither removal nor purge deletes what the station recorded.
        var postrm = await File.ReadAllTextAsync(dir.File("postrm"));
        Assert.DoesNotContain("rm -rf /var/lib", postrm.Replace("#   sudo rm -rf /var/lib", "", StringComparison.Ordinal), StringComparison.Ordinal);
    }

    [Fact]
    public async Task PackagedBinary_Version_RunsFromTheExtractedTree()
    {
        var deb = await _packages.GetAsync("amd64");
        using var dir = new TempDirectory("edgegw-deb-");
        await DpkgDeb("--extract", deb, dir.Path);

        var result = await ScriptRunner.RunAsync(dir.File("usr/lib/edge-gateway/edgegw"), ["--version"], Timeout);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.StartsWith(PublishedBuilds.ProductVersion, result.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PackagedBinary_ConfigValidate_AcceptsThePackagedStationYaml()
    {
        var deb = await _packages.GetAsync("amd64");
        using var dir = new TempDirectory("edgegw-deb-");
        await DpkgDeb("--extract", deb, dir.Path);

        var result = await ScriptRunner.RunAsync(
            dir.File("usr/lib/edge-gateway/edgegw"), ["config", "validate", dir.File("etc/edge-gateway/station.yaml")], Timeout);

        Assert.True(result.ExitCode == 0, result.ToString());
    }

    [Theory]
    [InlineData("amd64", 62)]
    [InlineData("arm64", 183)]
    public async Task PackagedBinary_IsTheNativeAotExecutableForTheArchitecture(string architecture, int elfMachine)
    {
        var deb = await _packages.GetAsync(architecture);
        using var dir = new TempDirectory("edgegw-deb-");
        await DpkgDeb("--extract", deb, dir.Path);

        Assert.Equal($"{architecture}\n", await DpkgDeb("--field", deb, "Architecture"));
        Assert.Equal(elfMachine, await PublishedBuilds.ElfMachineAsync(dir.File("usr/lib/edge-gateway/edgegw")));
        Assert.Equal(elfMachine, await PublishedBuilds.ElfMachineAsync(dir.File("usr/lib/edge-gateway/libe_sqlite3.so")));
        Assert.False(File.Exists(dir.File("usr/lib/edge-gateway/System.Private.CoreLib.dll")), "the package carries the .NET runtime");
        // The symbols stay beside the package for gdb.
        Assert.True(File.Exists(Path.ChangeExtension(deb, ".dbg")), "no symbols beside " + deb);
    }

    [Fact]
    public async Task BuildDeb_PublishWithTheRuntime_IsRefused()
    {
        using var dir = new TempDirectory("edgegw-jit-");
        await File.WriteAllTextAsync(dir.File("edgegw"), "#!/bin/sh\n");
        File.SetUnixFileMode(dir.File("edgegw"), UnixFileMode.UserRead | UnixFileMode.UserExecute);
        await File.WriteAllTextAsync(dir.File("libcoreclr.so"), "");

        var result = await ScriptRunner.RunAsync(
            "bash",
            [Path.Combine(ScriptRunner.RepoRoot, "scripts/build-deb.sh"), "amd64", dir.File("out")],
            Timeout,
            new Dictionary<string, string> { ["PUBLISH_DIR"] = dir.Path });

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("is not a Native AOT publish", result.Stderr, StringComparison.Ordinal);
        Assert.False(Directory.Exists(dir.File("out")), "a package was written");
    }

    [Fact]
    public async Task BuildDeb_UnknownArchitecture_ExitsWithUsage()
    {
        var result = await ScriptRunner.RunScriptAsync("scripts/build-deb.sh", Timeout, "armhf");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("usage: scripts/build-deb.sh arm64|amd64", result.Stderr, StringComparison.Ordinal);
    }

    private static void AssertEntry(string[] contents, string mode, string path) =>
        Assert.True(
            contents.Any(l => l.StartsWith(mode, StringComparison.Ordinal) && l.EndsWith(" " + path, StringComparison.Ordinal)),
            $"no {mode} {path} in:\n{string.Join('\n', contents.Where(l => !l.Contains("./usr/lib/edge-gateway/", StringComparison.Ordinal)))}");

    private static async Task<string> DpkgDeb(params string[] arguments)
    {
        var result = await ScriptRunner.RunAsync("dpkg-deb", arguments, Timeout);
        Assert.True(result.ExitCode == 0, $"dpkg-deb {string.Join(' ', arguments)}: {result}");
        return result.Stdout;
    }

    /// <summary>The .debs, built once each for the class by scripts/build-deb.sh from the shared publishes.</summary>
    public sealed class Packages : IDisposable
    {
        private readonly TempDirectory _output = new("edgegw-debs-");
        private readonly Dictionary<string, Lazy<Task<string>>> _debs;

        public Packages() => _debs = new(StringComparer.Ordinal)
        {
            ["amd64"] = new(() => BuildAsync("amd64", "linux-x64")),
            ["arm64"] = new(() => BuildAsync("arm64", "linux-arm64")),
        };

        public Task<string> GetAsync(string architecture) => _debs[architecture].Value;

        public void Dispose() => _output.Dispose();

        private async Task<string> BuildAsync(string architecture, string runtime)
        {
            var publish = await PublishedBuilds.GetAsync(runtime);
            var result = await ScriptRunner.RunAsync(
                "bash",
                [Path.Combine(ScriptRunner.RepoRoot, "scripts/build-deb.sh"), architecture, _output.Path],
                TimeSpan.FromMinutes(10),
                // Fast compression: the tests look at what is inside, the size is measured by hand.
                new Dictionary<string, string>
                {
                    ["PUBLISH_DIR"] = publish,
                    ["DEB_COMPRESSION"] = "gzip",
                    ["DEB_COMPRESSION_LEVEL"] = "1",
                });
            if (result.ExitCode != 0)
            {
                throw new InvalidOperationException("build-deb.sh failed: " + result);
            }

            var deb = result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries)[^1];
            Assert.Equal(Path.Combine(_output.Path, $"edge-gateway_{PublishedBuilds.ProductVersion}_{architecture}.deb"), deb);
            return deb;
        }
    }
}
