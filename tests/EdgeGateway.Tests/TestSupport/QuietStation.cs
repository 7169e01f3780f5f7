using System.Net;
using System.Net.Sockets;

namespace EdgeGateway.Tests.TestSupport;

/// <summary>The smallest whole station <c>edgegw run</c> accepts: one flood switch, one rule, an uplink.</summary>
internal static class QuietStation
{
    /// <summary>
    /// A station with nothing to touch on this machine: simulated GPIO, files under the test's own
    /// directory, and an uplink aimed at a loopback port (nobody listens there unless the test does).
    /// </summary>
    public static string Yaml(TempDirectory dir, int mqttPort) => $$"""
        station: { id: bench-01 }
        hardware:
          gpio: { driver: simulated }
        control: { socket: {{dir.File("control.sock")}} }
        storage: { path: {{dir.File("data")}}, queueLimit: 1MB }
        sensors:
          - id: flood-switch
            kind: digital
            gpio: { pin: 27, pull: up, activeLow: true }
        alerting:
          levels: [ { id: evacuate, severity: Extreme } ]
          rules:
            - { id: flood, sensor: flood-switch, when: active, level: evacuate }
        uplink:
          mqtt: { host: 127.0.0.1, port: {{mqttPort}}, prefix: ews }
          telemetry: 60s
        """;

    /// <summary>A loopback port nobody listens on (bound, then freed).</summary>
    public static int ClosedLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
