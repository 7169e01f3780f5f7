using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;

namespace EdgeGateway.Control;

/// <summary>The service is not running, or its socket cannot be reached (exit code 1).</summary>
public sealed class ControlUnavailableException : Exception
{
    public ControlUnavailableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public ControlUnavailableException(string message)
        : base(message)
    {
    }

    public ControlUnavailableException()
    {
    }
}

/// <summary>The service answered with a refusal or an error.</summary>
public sealed class ControlRefusedException(string message) : Exception(message)
{
    public ControlRefusedException()
        : this("refused")
    {
    }

    public ControlRefusedException(string message, Exception innerException)
        : this(message + ": " + innerException?.Message)
    {
    }

    /// <summary>The refusal's stable code when the service gave one (what was asked cannot be done).</summary>
    public string? Code { get; init; }
}

/// <summary>What the CLI verbs use to talk to the running service.</summary>
public static class ControlClient
{
    public static async Task<JsonNode?> SendAsync(string socketPath, string verb, JsonObject? args, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        cts.CancelAfter(timeout);
        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath), cts.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is SocketException or IOException or UnauthorizedAccessException)
        {
            throw new ControlUnavailableException(WhyUnreachable(socketPath, ex), ex);
        }

        await using var stream = new NetworkStream(socket, ownsSocket: false);
        var request = Encoding.UTF8.GetBytes(ControlProtocol.Request(verb, args).ToJsonString(ControlProtocol.Json) + "\n");
        string? line;
        try
        {
            await stream.WriteAsync(request, cts.Token).ConfigureAwait(false);
            using var reader = new StreamReader(stream, Encoding.UTF8);
            line = await reader.ReadLineAsync(cts.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            throw new ControlUnavailableException($"the service at {socketPath} did not answer within {timeout.TotalSeconds:0.#}s", ex);
        }
        catch (IOException ex)
        {
            throw new ControlUnavailableException($"the connection to {socketPath} failed: {ex.Message}", ex);
        }

        if (line is null || JsonNode.Parse(line) is not JsonObject response)
        {
            throw new ControlUnavailableException($"the service at {socketPath} closed the connection without an answer");
        }

        if (response["ok"]?.GetValue<bool>() != true)
        {
            throw new ControlRefusedException(response["error"]?.GetValue<string>() ?? "refused")
            {
                Code = response["code"]?.GetValue<string>(),
            };
        }

        return response["result"];
    }

    // The socket layer names a missing Unix socket "Cannot assign requested address" (ENOENT read as
    // EADDRNOTAVAIL); a technician needs to hear which of the real causes it is.
    private static string WhyUnreachable(string socketPath, Exception ex)
    {
        const string Hint = "is edge-gateway running? 'systemctl status edge-gateway'; the path is control.socket in station.yaml";
        if (!File.Exists(socketPath) && !Directory.Exists(socketPath))
        {
            return $"no such socket {socketPath} ({Hint})";
        }

        return (ex as SocketException)?.SocketErrorCode switch
        {
            SocketError.ConnectionRefused => $"nothing is listening on {socketPath}: the service is not running ({Hint})",
            SocketError.AccessDenied => $"permission denied on {socketPath}: the socket is for root and the edge-gateway group",
            _ when ex is UnauthorizedAccessException => $"permission denied on {socketPath}: the socket is for root and the edge-gateway group",
            _ => $"cannot reach the service at {socketPath}: {ex.Message} ({Hint})",
        };
    }
}
