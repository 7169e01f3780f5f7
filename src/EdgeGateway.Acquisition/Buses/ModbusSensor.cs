using EdgeGateway.Acquisition.Counters;
using EdgeGateway.Acquisition.Sensors;
using EdgeGateway.Modbus;
using EdgeGateway.Modbus.Decoding;

namespace EdgeGateway.Acquisition.Buses;

/// <summary>
/// Decodes a Modbus sensor's registers into its reading: the engineering value (raw * scale + offset), or for a
/// rain-total sensor the raw count handed to its <see cref="RainTotalSensor"/>. Coils and discrete inputs read as
/// 0 or 1.
/// </summary>
internal sealed class ModbusSensor(ModbusSensorOptions options, SensorChannel channel, RainTotalSensor? rain) : IPointSink
{
    /// <summary>Registers (or bits) one value of this sensor spans.</summary>
    public static ushort Width(ModbusSensorOptions options) =>
        options.Table is ModbusTable.Coil or ModbusTable.Discrete ? (ushort)1 : (ushort)RegisterDecoder.Width(options.Type);

    public PollPoint Point() => new(options.Id, options.Slave, options.Table, options.Address, Width(options), options.Poll, this);

    public void OnRegisters(DateTimeOffset time, ReadOnlySpan<ushort> registers)
    {
        var raw = options.Table is ModbusTable.Coil or ModbusTable.Discrete
            ? registers[0]
            : RegisterDecoder.DecodeRaw(registers, options.Type, options.Order);
        if (rain is not null)
        {
            rain.Accept(time, raw);
        }
        else
        {
            channel.PublishValue(time, RegisterDecoder.Scale(raw, options.Scale, options.Offset));
        }
    }

    public void OnFault(DateTimeOffset time, string reason) => channel.PublishFault(time, reason);
}
