namespace EdgeGateway.Tests.TestSupport;

/// <summary>The smallest whole station <c>edgegw run</c> accepts: one flood switch, one rule, an uplink.</summary>
internal static class QuietStation
{
    /// <summary>
    /// A station with nothing to touch on this machine: simulated GPIO, files under the test's own
    /// directory, and an uplink aimed at a loopback port (nobody listens there unless the test does).
    /// </summary>
    public static string Yaml(TempDirectory dir, int mqttPort) => Builder(dir, mqttPort).ToString();

    /// <summary>The same station as a builder, for a test that adds a section.</summary>
    public static StationYaml Builder(TempDirectory dir, int mqttPort) => new StationYaml("bench-01", dir)
        .Storage(more: "queueLimit: 1MB")
        .DigitalSensor("flood-switch", 27)
        .Alerting("{ id: evacuate, severity: Extreme }", "{ id: flood, sensor: flood-switch, when: active, level: evacuate }")
        .Uplink(mqttPort);

    /// <summary>A loopback port nobody listens on (bound, then freed).</summary>
    public static int ClosedLoopbackPort() => Loopback.FreePort();
}
