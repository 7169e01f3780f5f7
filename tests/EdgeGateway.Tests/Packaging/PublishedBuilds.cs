using System.Collections.Concurrent;

namespace EdgeGateway.Tests.Packaging;

/// <summary>
/// Native AOT publishes of the <c>edgegw</c> app, made once per test run and per runtime
/// (publishing takes minutes), the way scripts/build-deb.sh publishes for a station; linux-arm64 is
/// cross-compiled (eng/NativeAot.props).
/// Publishes run one at a time: they share the library projects' build outputs.
/// </summary>
internal static class PublishedBuilds
{
    // The native compile and link of one runtime take several minutes on a loaded two-core machine.
    private static readonly TimeSpan PublishTimeout = TimeSpan.FromMinutes(25);
    private static readonly ConcurrentDictionary<string, Lazy<Task<string>>> Builds = new(StringComparer.Ordinal);
    private static readonly SemaphoreSlim OneAtATime = new(1, 1);
    private static readonly Lazy<string> Root = new(CreateRoot);

    /// <summary>The publish directory for <paramref name="runtime"/> (linux-x64, linux-arm64).</summary>
    public static Task<string> GetAsync(string runtime) =>
        Builds.GetOrAdd(runtime, r => new Lazy<Task<string>>(() => PublishAsync(r))).Value;

    /// <summary>The version the build stamps: Directory.Build.props' &lt;Version&gt;.</summary>
    public static string ProductVersion { get; } = ReadVersion();

    private static async Task<string> PublishAsync(string runtime)
    {
        var output = Path.Combine(Root.Value, runtime);
        await OneAtATime.WaitAsync();
        try
        {
            var result = await ScriptRunner.RunAsync(
                "dotnet",
                ["publish", "src/EdgeGateway", "-c", "Release", "-r", runtime, "-p:PublishAot=true", "-o", output, "-nologo"],
                PublishTimeout);
            if (result.ExitCode != 0)
            {
                throw new InvalidOperationException($"dotnet publish for {runtime} failed: {result}");
            }
        }
        finally
        {
            OneAtATime.Release();
        }

        return output;
    }

    /// <summary>
    /// The ELF machine (e_machine) of an executable: 62 for x86-64, 183 for AArch64; fails unless the file
    /// is an ELF file.
    /// </summary>
    public static async Task<int> ElfMachineAsync(string path)
    {
        var header = new byte[20];
        await using (var file = File.OpenRead(path))
        {
            await file.ReadExactlyAsync(header);
        }

        Assert.True("\u007fELF"u8.SequenceEqual(header.AsSpan(0, 4)), path + " is not an ELF file");
        // e_machine: offset 18, little endian (both targets are).
        return header[18] | (header[19] << 8);
    }

    private static string CreateRoot()
    {
        var root = Directory.CreateTempSubdirectory("edgegw-publish-").FullName;
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            try
            {
                Directory.Delete(root, recursive: true);
            }
            catch (IOException)
            {
            }
        };
        return root;
    }

    private static string ReadVersion()
    {
        var props = File.ReadAllText(Path.Combine(ScriptRunner.RepoRoot, "Directory.Build.props"));
        var start = props.IndexOf("<Version>", StringComparison.Ordinal) + "<Version>".Length;
        return props[start..props.IndexOf("</Version>", start, StringComparison.Ordinal)];
    }
}
