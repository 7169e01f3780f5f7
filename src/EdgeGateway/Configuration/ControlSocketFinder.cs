using EdgeGateway.Configuration.Internal;

namespace EdgeGateway.Configuration;

/// <summary>Where a client verb looks for the service: a socket path, and what the technician should know about the file.</summary>
/// <param name="Socket">The control socket to use.</param>
/// <param name="Warning">Set when the file is invalid: said on stderr, never a reason to refuse.</param>
/// <param name="Error">Set when the file cannot be read at all: nothing to take a socket from.</param>
public sealed record ControlSocketLookup(string Socket, string? Warning, string? Error);

/// <summary>
/// What <c>status</c>, <c>broadcast</c>, <c>alert</c> and <c>sim gpio</c> take from <c>--config</c>: only
/// <c>control.socket</c>. The moment a technician needs them is often right after a save the service refused
/// (a reload keeps the last good file running), so the rest of the file being wrong must not stop them.
/// </summary>
public static class ControlSocketFinder
{
    public static ControlSocketLookup Find(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var loaded = StationConfigLoader.Load(path);
        if (loaded.IsValid)
        {
            return new ControlSocketLookup(loaded.Config!.Control.Socket, null, null);
        }

        string text;
        try
        {
            text = System.Text.Encoding.UTF8.GetString(StationConfigLoader.ReadBounded(path));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException or ArgumentException)
        {
            return new ControlSocketLookup(ControlSection.DefaultSocket, null, loaded.ErrorLines()[0]);
        }

        var problems = loaded.ErrorCount == 1 ? "1 problem" : $"{loaded.ErrorCount} problems";
        var check = $"{path} is not valid ({problems}, the first {loaded.Errors[0]}; 'edgegw config validate {path}' lists them)";
        if (SocketIn(text) is { } socket)
        {
            return new ControlSocketLookup(socket, $"warning: {check}; using its control.socket {socket}", null);
        }

        return new ControlSocketLookup(
            ControlSection.DefaultSocket,
            $"warning: {check}; no control.socket could be read from it, using the default {ControlSection.DefaultSocket}",
            null);
    }

    private static string? SocketIn(string text)
    {
        var root = YamlTree.Parse(text, out _) as YMapping;
        var control = Value(root, "control") as YMapping;
        return Value(control, "socket") is YScalar { IsNull: false } socket && socket.Value.Length > 0 ? socket.Value : null;
    }

    private static YNode? Value(YMapping? map, string key) =>
        map?.Entries.FirstOrDefault(e => e.Key is YScalar k && k.Value == key).Value;
}
