using System.Net;
using System.Net.Sockets;

namespace EdgeGateway.TestSupport;

/// <summary>Ports on 127.0.0.1, the only address tests talk to.</summary>
public static class Loopback
{
    /// <summary>A free TCP port (bound, then released): for a peer to listen on, or for nobody to.</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
