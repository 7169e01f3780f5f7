using System.Collections.Concurrent;

namespace EdgeGateway.Tests.Packaging;

/// <summary>
/// Self-contained publishes of the <c>edgegw</c> app, made once per test run and per runtime
/// (publishing takes minutes), the way scripts/build-deb.sh publishes for a station.
/// Publishes run one at a time: they share the library projects' build outputs.
/// </summary>
internal static class PublishedBuilds
{
    private static readonly TimeSpan PublishTimeout = TimeSpan.FromMinutes(20);
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
                ["publish", "src/EdgeGateway", "-c", "Release", "-r", runtime, "--self-contained", "-p:PublishTrimmed=true",
                 "-p:InvariantGlobalization=true", "-o", output, "-nologo"],
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
