using System.Net;
using System.Net.Sockets;

namespace EdgeGateway.Sl651.Tests.Testing;

/// <summary>
/// A test station's side of a TCP link to a centre: connect, send, read one downlink frame cut by its length field,
/// see the centre end the connection. Deliberately not the product's reader, so it checks the centre's framing.
/// </summary>
internal sealed class StationSocket : IDisposable
{
    private readonly TcpClient _client = new(AddressFamily.InterNetwork);
    private readonly TimeSpan _wait;

    private StationSocket(TimeSpan wait) => _wait = wait;

    public EndPoint? LocalEndPoint => _client.Client.LocalEndPoint;

    public static async Task<StationSocket> ConnectAsync(IPEndPoint centre, TimeSpan wait)
    {
        var station = new StationSocket(wait);
        await station._client.ConnectAsync(centre).WaitAsync(wait);
        return station;
    }

    public async Task SendAsync(byte[] bytes) => await _client.Client.SendAsync(bytes).WaitAsync(_wait);

    /// <summary>One frame: 14 header bytes, then the body length from bytes 11-12 (low 12 bits), end byte and CRC.</summary>
    public async Task<string> ReadFrameHexAsync()
    {
        var stream = _client.GetStream();
        var header = new byte[14];
        await stream.ReadExactlyAsync(header).AsTask().WaitAsync(_wait);
        var rest = new byte[(((header[11] & 0x0F) << 8) | header[12]) + (header[13] == 0x16 ? 3 : 0) + 3];
        await stream.ReadExactlyAsync(rest).AsTask().WaitAsync(_wait);
        return Convert.ToHexString([.. header, .. rest]);
    }

    /// <summary>
    /// How many bytes arrive before the centre ends the connection. Closing a socket with unread bytes in it sends a
    /// reset rather than a FIN, so a reset counts as the end too; a connection still open fails the wait.
    /// </summary>
    public async Task<int> ReadToEndAsync()
    {
        var buffer = new byte[256];
        var count = 0;
        try
        {
            int read;
            while ((read = await _client.GetStream().ReadAsync(buffer).AsTask().WaitAsync(_wait)) > 0)
            {
                count += read;
            }
        }
        catch (IOException e) when (e.InnerException is SocketException { SocketErrorCode: SocketError.ConnectionReset })
        {
        }

        return count;
    }

    public void Dispose() => _client.Dispose();
}
