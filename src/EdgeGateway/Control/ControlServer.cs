using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace EdgeGateway.Control;

/// <summary>
/// Listens on the control socket (mode 0660, so the service's group may use the CLI) and dispatches each
/// request to the <see cref="IControlVerb"/> of that name. A stale socket file from a crash is replaced.
/// </summary>
public sealed partial class ControlServer : BackgroundService
{
    private readonly string _path;
    private readonly Dictionary<string, IControlVerb> _verbs;
    private readonly ILogger<ControlServer> _logger;
    private readonly TaskCompletionSource _listening = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Socket? _listener;

    public ControlServer(ControlServerOptions options, IEnumerable<IControlVerb> verbs, ILogger<ControlServer> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _path = options.SocketPath;
        _verbs = verbs.ToDictionary(v => v.Name, StringComparer.Ordinal);
        _logger = logger;
    }

    /// <summary>Completes once the socket accepts connections.</summary>
    public Task Listening => _listening.Task;

    public override Task StartAsync(CancellationToken cancellationToken)
    {
        // Bind before the host reports started, so a CLI call right after READY finds the socket.
        try
        {
            var dir = Path.GetDirectoryName(_path);
            if (!string.IsNullOrEmpty(dir))
            {
                Directory.CreateDirectory(dir);
            }

            if (File.Exists(_path))
            {
                File.Delete(_path);
            }

            var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            listener.Bind(new UnixDomainSocketEndPoint(_path));
            File.SetUnixFileMode(_path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.GroupWrite);
            listener.Listen(16);
            _listener = listener;
            _listening.TrySetResult();
            LogListening(_logger, _path);
        }
        catch (Exception ex) when (ex is IOException or SocketException or UnauthorizedAccessException)
        {
            // The CLI cannot reach us, but the station keeps alarming.
            LogBindFailed(_logger, ex, _path);
            _listening.TrySetException(ex);
        }

        return base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (_listener is null)
        {
            return;
        }

        while (!stoppingToken.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _listener.AcceptAsync(stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                break;
            }
            catch (SocketException ex)
            {
                LogAcceptFailed(_logger, ex);
                continue;
            }

            _ = Task.Run(() => ServeAsync(client, stoppingToken), stoppingToken);
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken).ConfigureAwait(false);
        _listener?.Dispose();
        try
        {
            File.Delete(_path);
        }
        catch (IOException)
        {
        }
    }

    public override void Dispose()
    {
        _listener?.Dispose();
        base.Dispose();
    }

    /// <summary>Runs one request as the server would; used by the socket loop and by in-process callers.</summary>
    public async Task<JsonObject> DispatchAsync(string requestLine, CancellationToken cancellationToken)
    {
        string verb;
        JsonObject args;
        try
        {
            var request = JsonNode.Parse(requestLine) as JsonObject ?? throw new JsonException("not an object");
            verb = request["verb"]?.GetValue<string>() ?? throw new JsonException("no verb");
            args = request["args"] as JsonObject ?? [];
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException or FormatException)
        {
            return ControlProtocol.Error($"malformed request: {ex.Message}");
        }

        if (!_verbs.TryGetValue(verb, out var handler))
        {
            return ControlProtocol.Error($"unknown verb '{verb}'");
        }

        try
        {
            var result = await handler.HandleAsync(args, cancellationToken).ConfigureAwait(false);
            return ControlProtocol.Ok(result);
        }
        catch (ControlRequestException ex)
        {
            LogRefused(_logger, verb, ex.Message);
            return ControlProtocol.Error(ex.Message, ex.Code);
        }
        catch (OperationCanceledException)
        {
            return ControlProtocol.Error("the service is stopping");
        }
        catch (Exception ex)
        {
            LogVerbFailed(_logger, ex, verb);
            return ControlProtocol.Error($"{verb} failed: {ex.Message}");
        }
    }

    private async Task ServeAsync(Socket client, CancellationToken stoppingToken)
    {
        using var _ = client;
        await using var stream = new NetworkStream(client, ownsSocket: false);
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(30));
            var line = await ReadLineAsync(stream, timeout.Token).ConfigureAwait(false);
            var response = line is null
                ? ControlProtocol.Error($"request missing or larger than {ControlProtocol.MaxRequestBytes} bytes")
                : await DispatchAsync(line, timeout.Token).ConfigureAwait(false);
            var bytes = Encoding.UTF8.GetBytes(response.ToJsonString(ControlProtocol.Json) + "\n");
            await stream.WriteAsync(bytes, stoppingToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or SocketException or OperationCanceledException)
        {
            LogClientFailed(_logger, ex);
        }
    }

    private static async Task<string?> ReadLineAsync(NetworkStream stream, CancellationToken cancellationToken)
    {
        var buffer = new byte[ControlProtocol.MaxRequestBytes];
        var filled = 0;
        while (filled < buffer.Length)
        {
            var n = await stream.ReadAsync(buffer.AsMemory(filled), cancellationToken).ConfigureAwait(false);
            if (n == 0)
            {
                break;
            }

            var newline = Array.IndexOf(buffer, (byte)'\n', filled, n);
            filled += n;
            if (newline >= 0)
            {
                return Encoding.UTF8.GetString(buffer, 0, newline);
            }
        }

        return filled > 0 && filled < buffer.Length ? Encoding.UTF8.GetString(buffer, 0, filled) : null;
    }

    [LoggerMessage(EventId = 900, Level = LogLevel.Information, Message = "Control socket listening on {Path}")]
    private static partial void LogListening(ILogger logger, string path);

    [LoggerMessage(EventId = 901, Level = LogLevel.Error, Message = "Control socket {Path} could not be opened; the CLI cannot reach this service")]
    private static partial void LogBindFailed(ILogger logger, Exception exception, string path);

    [LoggerMessage(EventId = 902, Level = LogLevel.Warning, Message = "Control socket accept failed")]
    private static partial void LogAcceptFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 903, Level = LogLevel.Warning, Message = "Control request {Verb} refused: {Reason}")]
    private static partial void LogRefused(ILogger logger, string verb, string reason);

    [LoggerMessage(EventId = 904, Level = LogLevel.Error, Message = "Control verb {Verb} failed")]
    private static partial void LogVerbFailed(ILogger logger, Exception exception, string verb);

    [LoggerMessage(EventId = 905, Level = LogLevel.Debug, Message = "Control client connection ended abnormally")]
    private static partial void LogClientFailed(ILogger logger, Exception exception);
}

/// <summary>Where the control socket lives (control.socket).</summary>
public sealed record ControlServerOptions(string SocketPath);
