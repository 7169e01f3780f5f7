namespace EdgeGateway.TestSupport;

/// <summary>A directory of its own for one test under the system temp dir, removed with everything in it afterwards.</summary>
public sealed class TempDirectory : IDisposable
{
    /// <param name="prefix">Short by default: a unix socket path inside must stay under 108 bytes.</param>
    public TempDirectory(string prefix = "egw-")
    {
        Path = Directory.CreateTempSubdirectory(prefix).FullName;
    }

    public string Path { get; }

    public string File(string name) => System.IO.Path.Combine(Path, name);

    /// <summary>Writes <paramref name="text"/> to <paramref name="name"/> in the directory and returns its path.</summary>
    public string Write(string name, string text)
    {
        var path = File(name);
        System.IO.File.WriteAllText(path, text);
        return path;
    }

    /// <summary>
    /// Lets another user read the directory and the files in it now (rwxr-xr-x, rw-r--r--): mosquitto started as
    /// root reads its certificates and password file after dropping to its own user.
    /// </summary>
    public void OpenToServices()
    {
        const UnixFileMode read = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;
        System.IO.File.SetUnixFileMode(Path, read | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute);
        foreach (var file in Directory.GetFiles(Path))
        {
            System.IO.File.SetUnixFileMode(file, read);
        }
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // A process a failed test left behind may still hold a file; the OS cleans temp dirs.
        }
    }
}
