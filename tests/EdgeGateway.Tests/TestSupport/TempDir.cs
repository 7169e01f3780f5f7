namespace EdgeGateway.Tests.TestSupport;

/// <summary>A directory of its own for one test, removed afterwards.</summary>
internal sealed class TempDir : IDisposable
{
    public TempDir()
    {
        // Short: a unix socket path must stay under 108 bytes.
        DirPath = Directory.CreateTempSubdirectory("egw-").FullName;
    }

    public string DirPath { get; }

    public string File(string name) => System.IO.Path.Combine(DirPath, name);

    public string Write(string name, string text)
    {
        var path = File(name);
        System.IO.File.WriteAllText(path, text);
        return path;
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(DirPath, recursive: true);
        }
        catch (IOException)
        {
            // Left for the OS to clean; nothing else shares it.
        }
    }
}
