namespace EdgeGateway.TestSupport;

/// <summary>The repository root (where EdgeGateway.sln is), found from the test's working directory.</summary>
public static class RepositoryRoot
{
    public static string Path { get; } = Find();

    /// <summary>A file of the repository by its path from the root (e.g. <c>firmware-config/mosquitto/edge-gateway.acl</c>).</summary>
    public static string File(string relative) => System.IO.Path.Combine(Path, relative);

    private static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (System.IO.File.Exists(System.IO.Path.Combine(dir.FullName, "EdgeGateway.sln")))
            {
                return dir.FullName;
            }
        }

        throw new DirectoryNotFoundException("EdgeGateway.sln not found above " + AppContext.BaseDirectory);
    }
}
