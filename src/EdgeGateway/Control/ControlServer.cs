using System.Buffers;
using System.Net.Sockets;
using System.Runtime.InteropServices;
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
/// <remarks>
/// Whatever a local client does must not take the station down: at most <see cref="MaxClients"/> are
/// served at once (the next is told so and closed), each with one pooled buffer; failing accepts back off
/// and are logged once a minute per kind. Each request carries the connecting process's uid, read from
/// the kernel (SO_PEERCRED), so the audit does not rest on the name a client claims.
/// </remarks>
public sealed class ControlServer : BackgroundService
{
    /// <summary>Clients served at once; a technician's CLI needs one, a script a few.</summary>
    public const int MaxClients = 16;

    /// <summary>First pause after a failed accept; doubled on each failure in a row up to <see cref="MaxAcceptBackoff"/>.</summary>
    public static readonly TimeSpan FirstAcceptBackoff = TimeSpan.FromMilliseconds(50);

    public static readonly TimeSpan MaxAcceptBackoff = TimeSpan.FromSeconds(5);

    private static readonly TimeSpan LogPeriod = TimeSpan.FromMinutes(1);

    private readonly string _path;
    private readonly Dictionary<string, IControlVerb> _verbs;
    private readonly ILogger<ControlServer> _logger;
    private readonly TimeProvider _time;
    private readonly LogRateLimiter _logLimiter;
    private readonly TaskCompletionSource _listening = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Socket? _listener;
    private int _clients;

    public ControlServer(ControlServerOptions options, IEnumerable<IControlVerb> verbs, ILogger<ControlServer> logger, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _path = options.SocketPath;
        _verbs = verbs.ToDictionary(v => v.Name, StringComparer.Ordinal);
        _logger = logger;
        _time = time ?? TimeProvider.System;
        _logLimiter = new LogRateLimiter(_time, LogPeriod);
    }

    /// <summary>Clients being served now.</summary>
    public int Clients => Volatile.Read(ref _clients);

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
            Log.ControlListening(_logger, _path, MaxClients);
        }
        catch (Exception ex) when (ex is IOException or SocketException or UnauthorizedAccessException)
        {
            // The CLI cannot reach us, but the station keeps alarming.
            Log.ControlBindFailed(_logger, ex, _path);
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

        var backoff = TimeSpan.Zero;
        while (!stoppingToken.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _listener.AcceptAsync(stoppingToken).ConfigureAwait(false);
                backoff = TimeSpan.Zero;
            }
            catch (OperationCanceledException)
            {
                break;
            }
            catch (Exception ex) when (ex is SocketException or IOException or ObjectDisposedException)
            {
                if (ex is ObjectDisposedException)
                {
                    break;
                }

                // Out of descriptors (EMFILE) fails every accept at once: without a pause this loop spins.
                backoff = backoff == TimeSpan.Zero ? FirstAcceptBackoff : TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, MaxAcceptBackoff.Ticks));
                var kind = ex is SocketException se ? se.SocketErrorCode.ToString() : ex.GetType().Name;
                if (_logLimiter.TryAcquire("accept:" + kind, out var suppressed))
                {
                    Log.ControlAcceptFailed(_logger, kind, ex.Message, backoff, suppressed);
                }

                try
                {
                    await Task.Delay(backoff, _time, stoppingToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    break;
                }

                continue;
            }

            if (Interlocked.Increment(ref _clients) > MaxClients)
            {
                Interlocked.Decrement(ref _clients);
                TurnAway(client);
                continue;
            }

            _ = Task.Run(() => ServeAsync(client, stoppingToken), CancellationToken.None);
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
    public Task<JsonObject> DispatchAsync(string requestLine, CancellationToken cancellationToken) =>
        DispatchAsync(requestLine, peerUid: null, cancellationToken);

    /// <summary>
    /// As <see cref="DispatchAsync(string, CancellationToken)"/> for a client whose uid the kernel told us:
    /// it reaches the verb as <see cref="ControlProtocol.PeerUidArgument"/>, replacing any the client sent.
    /// </summary>
    public async Task<JsonObject> DispatchAsync(string requestLine, int? peerUid, CancellationToken cancellationToken)
    {
        string verb;
        JsonObject args;
        try
        {
            var request = JsonNode.Parse(requestLine) as JsonObject ?? throw new JsonException("not an object");
            verb = request["verb"]?.GetValue<string>() ?? throw new JsonException("no verb");
            args = request["args"] as JsonObject ?? [];
            args.Remove(ControlProtocol.PeerUidArgument);
            if (peerUid is { } uid)
            {
                args[ControlProtocol.PeerUidArgument] = uid;
            }
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
            Log.ControlRefused(_logger, verb, ex.Message);
            return ControlProtocol.Error(ex.Message, ex.Code);
        }
        catch (OperationCanceledException)
        {
            return ControlProtocol.Error("the service is stopping");
        }
        catch (Exception ex)
        {
            Log.ControlVerbFailed(_logger, ex, verb);
            return ControlProtocol.Error($"{verb} failed: {ex.Message}");
        }
    }

    private async Task ServeAsync(Socket client, CancellationToken stoppingToken)
    {
        try
        {
            using var _ = client;
            await using var stream = new NetworkStream(client, ownsSocket: false);
            var buffer = ArrayPool<byte>.Shared.Rent(ControlProtocol.MaxRequestBytes);
            try
            {
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
                timeout.CancelAfter(RequestLineTimeout);
                var line = await ReadLineAsync(stream, buffer.AsMemory(0, ControlProtocol.MaxRequestBytes), timeout.Token).ConfigureAwait(false);
                timeout.CancelAfter(RequestTimeout);
                var response = line is null
                    ? ControlProtocol.Error($"request missing or larger than {ControlProtocol.MaxRequestBytes} bytes")
                    : await DispatchAsync(line, PeerUid(client), timeout.Token).ConfigureAwait(false);
                var bytes = Encoding.UTF8.GetBytes(response.ToJsonString(ControlProtocol.Json) + "\n");
                await stream.WriteAsync(bytes, stoppingToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is IOException or SocketException or OperationCanceledException)
            {
                Log.ControlClientFailed(_logger, ex);
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }
        finally
        {
            Interlocked.Decrement(ref _clients);
        }
    }

    /// <summary>
    /// How long a client may take to send its request line. The CLI sends it as it connects; a client that
    /// connects and says nothing holds one of the <see cref="MaxClients"/> places only this long.
    /// </summary>
    private static readonly TimeSpan RequestLineTimeout = TimeSpan.FromSeconds(5);

    /// <summary>How long a request may take once read.</summary>
    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(30);

    // Said without waiting: a client that does not read cannot hold the accept loop.
    private void TurnAway(Socket client)
    {
        using var _ = client;
        if (_logLimiter.TryAcquire("full", out var suppressed))
        {
            Log.ControlTooManyClients(_logger, MaxClients, suppressed);
        }

        try
        {
            client.Blocking = false;
            client.Send(TooManyClients, SocketFlags.None, out var _);
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            // It gets the closed connection instead of the explanation.
        }
    }

    private static readonly byte[] TooManyClients = Encoding.UTF8.GetBytes(
        ControlProtocol.Error($"too many clients: at most {MaxClients} at once; try again").ToJsonString(ControlProtocol.Json) + "\n");

    // struct ucred { pid_t pid; uid_t uid; gid_t gid; } from getsockopt(SOL_SOCKET, SO_PEERCRED) on Linux.
    private const int SolSocket = 1;
    private const int SoPeerCred = 17;

    /// <summary>The uid of the process at the other end of a Unix socket, as the kernel recorded it at connect.</summary>
    public static int? PeerUid(Socket socket)
    {
        ArgumentNullException.ThrowIfNull(socket);
        if (!OperatingSystem.IsLinux() || socket.AddressFamily != AddressFamily.Unix)
        {
            return null;
        }

        Span<byte> ucred = stackalloc byte[12];
        try
        {
            var length = socket.GetRawSocketOption(SolSocket, SoPeerCred, ucred);
            return length >= 8 ? MemoryMarshal.Read<int>(ucred[4..]) : null;
        }
        catch (SocketException)
        {
            return null;
        }
    }

    private static async Task<string?> ReadLineAsync(NetworkStream stream, Memory<byte> buffer, CancellationToken cancellationToken)
    {
        var filled = 0;
        while (filled < buffer.Length)
        {
            var n = await stream.ReadAsync(buffer[filled..], cancellationToken).ConfigureAwait(false);
            if (n == 0)
            {
                break;
            }

            var newline = buffer.Span.Slice(filled, n).IndexOf((byte)'\n');
            if (newline >= 0)
            {
                return Encoding.UTF8.GetString(buffer.Span[..(filled + newline)]);
            }

            filled += n;
        }

        return filled > 0 && filled < buffer.Length ? Encoding.UTF8.GetString(buffer.Span[..filled]) : null;
    }
}

/// <summary>Where the control socket lives (control.socket).</summary>
public sealed record ControlServerOptions(string SocketPath);
