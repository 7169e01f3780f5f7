namespace EdgeGateway.Tests.TestSupport;

internal static class RiverLevelSensor
{
    /// <summary>
    /// The radar level gauge <c>river-level</c> in metres on <paramref name="bus"/>: float32 (ABCD) in holding
    /// register 0 of slave 1, valid from 0 to 15 m, polled every 500 ms.
    /// </summary>
    public static StationYaml RiverLevel(this StationYaml station, string bus) => station.Sensor($$"""
        - id: river-level
          kind: water-level
          unit: m
          modbus: { bus: {{bus}}, slave: 1, table: holding, address: 0, type: float32, order: ABCD }
          valid: [0, 15]
          poll: 500ms
        """);
}
