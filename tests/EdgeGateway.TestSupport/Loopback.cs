using System.Net;
using System.Net.Sockets;

namespace EdgeGateway.TestSupport;

/// <summary>Ports on 127.0.0.1, the only address tests talk to.</summary>
public static class Loopback
{
    // Below the kernel's ephemeral range (32768-60999 by default; net.ipv4.ip_local_port_range), so no
    // outgoing connection of this or another test process is given a port between its being picked here and its
    // peer binding it, which a port from bind(0) can be on a busy machine. The RabbitMQ cluster fixture takes its
    // blocks from 20000 up; single ports come from below that.
    private const int First = 10000;
    private const int End = 20000;

    private static readonly Lock Gate = new();
    private static readonly HashSet<int> Given = [];

    /// <summary>
    /// A free TCP port (bound, then released): for a peer to listen on, or for nobody to. Never the same port twice
    /// in one test process.
    /// </summary>
    public static int FreePort()
    {
        lock (Gate)
        {
            for (var attempt = 0; attempt < 500; attempt++)
            {
                var port = Random.Shared.Next(First, End);
                if (!Given.Contains(port) && IsFree(port))
                {
                    Given.Add(port);
                    return port;
                }
            }
        }

        throw new InvalidOperationException($"no free port on 127.0.0.1 between {First} and {End} after 500 tries");
    }

    /// <summary>Whether a listener can bind <paramref name="port"/> on 127.0.0.1 now.</summary>
    public static bool IsFree(int port)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
