using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Hosting.Systemd;

namespace EdgeGateway.Tests.Hosting.Watchdog;

/// <summary>
/// Stands in for systemd's notification socket: a unix datagram socket bound in a temp dir.
/// Every receive happens on the caller's thread, so "nothing queued" is a fact, not a race.
/// </summary>
internal sealed class FakeNotifySocket : IDisposable
{
    private static readonly Lock EnvironmentGate = new();
    private readonly TempDirectory _dir = new("edgegw-notify-");
    private readonly Socket _socket = new(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);

    public FakeNotifySocket()
    {
        SocketPath = _dir.File("notify.sock");
        _socket.Bind(new UnixDomainSocketEndPoint(SocketPath));
    }

    public string SocketPath { get; }

    /// <summary>Datagrams received but not yet returned by <see cref="WaitForAsync"/> or <see cref="Drain"/>.</summary>
    private readonly List<string> _unclaimed = [];

    /// <summary>
    /// The production notifier, configured the way systemd configures it: from NOTIFY_SOCKET, which
    /// it reads once, in its constructor. The variable is set only for that instant.
    /// </summary>
    public SystemdNotifier CreateNotifier()
    {
        lock (EnvironmentGate)
        {
            var previous = Environment.GetEnvironmentVariable("NOTIFY_SOCKET");
            Environment.SetEnvironmentVariable("NOTIFY_SOCKET", SocketPath);
            try
            {
                return new SystemdNotifier();
            }
            finally
            {
                Environment.SetEnvironmentVariable("NOTIFY_SOCKET", previous);
            }
        }
    }

    /// <summary>
    /// Returns once a datagram equal to <paramref name="expected"/> has arrived (it may have arrived
    /// already, before others that were awaited); fails after the timeout.
    /// </summary>
    public async Task WaitForAsync(string expected, TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        var buffer = new byte[4096];
        while (!_unclaimed.Remove(expected))
        {
            try
            {
                var length = await _socket.ReceiveAsync(buffer, SocketFlags.None, cts.Token);
                _unclaimed.Add(Encoding.UTF8.GetString(buffer, 0, length));
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException(
                    $"'{expected}' did not arrive within {timeout}; unclaimed: [{string.Join(" | ", _unclaimed)}]");
            }
        }
    }

    /// <summary>The unclaimed datagrams, including those already queued on the socket, without waiting.</summary>
    public IReadOnlyList<string> Drain()
    {
        var buffer = new byte[4096];
        while (_socket.Available > 0)
        {
            var length = _socket.Receive(buffer);
            _unclaimed.Add(Encoding.UTF8.GetString(buffer, 0, length));
        }

        var drained = _unclaimed.ToList();
        _unclaimed.Clear();
        return drained;
    }

    public void Dispose()
    {
        _socket.Dispose();
        _dir.Dispose();
    }
}
