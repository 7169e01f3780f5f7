using System.Net.Sockets;
using System.Text;

namespace EdgeGateway.Tests.EndToEnd;

/// <summary>A NOTIFY_SOCKET a child process reports READY=1 to, as systemd's would.</summary>
internal sealed class NotifySocket : IDisposable
{
    private readonly Socket _socket = new(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);

    public NotifySocket(string path)
    {
        Path = path;
        _socket.Bind(new UnixDomainSocketEndPoint(path));
    }

    public string Path { get; }

    /// <summary>Waits for a datagram holding the line <paramref name="line"/> (e.g. READY=1).</summary>
    public async Task WaitForAsync(string line, TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        var buffer = new byte[4096];
        while (true)
        {
            int n;
            try
            {
                n = await _socket.ReceiveAsync(buffer, SocketFlags.None, cts.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"no {line} on NOTIFY_SOCKET within {timeout}");
            }

            if (Encoding.UTF8.GetString(buffer, 0, n).Split('\n').Contains(line))
            {
                return;
            }
        }
    }

    public void Dispose()
    {
        _socket.Dispose();
        File.Delete(Path);
    }
}
