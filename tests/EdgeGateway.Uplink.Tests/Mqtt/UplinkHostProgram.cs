using EdgeGateway.Uplink.Mqtt;
using Microsoft.Extensions.Logging.Abstractions;

namespace EdgeGateway.Uplink.Tests.Mqtt;

/// <summary>
/// Entry point of this assembly when run as a process: <c>uplink-host PORT DATA_DIR</c> runs a station
/// uplink (real clock) and prints "connected" once its birth is out, so a test can kill -9 it.
/// </summary>
public static class UplinkHostProgram
{
    public static async Task<int> Main(string[] args)
    {
        if (args.Length != 3 || args[0] != "uplink-host")
        {
            await Console.Error.WriteLineAsync("usage: uplink-host PORT DATA_DIR");
            return 2;
        }

        var options = new UplinkOptions
        {
            StationId = UplinkHarness.Station,
            StoragePath = args[2],
            Mqtt = new MqttConnectionOptions
            {
                Host = "127.0.0.1",
                Port = int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture),
                KeepAlive = TimeSpan.FromSeconds(5),
            },
        };
        using var service = new UplinkService(options, TimeProvider.System, NullLogger<UplinkService>.Instance);
        service.Connected += () =>
        {
            Console.Out.WriteLine("connected");
            Console.Out.Flush();
        };
        await service.StartAsync(CancellationToken.None);
        await Task.Delay(Timeout.Infinite);
        return 0;
    }
}
