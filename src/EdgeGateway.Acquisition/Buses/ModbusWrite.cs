using EdgeGateway.Modbus;

namespace EdgeGateway.Acquisition.Buses;

/// <summary>
/// A write for a bus scheduler to send ahead of every waiting poll (a relay on a Modbus I/O module, a setpoint).
/// Coils use FC05 (one) or FC15 (several); holding registers FC06 (one) or FC16 (several).
/// </summary>
public sealed record ModbusWrite
{
    private ModbusWrite(byte slave, ModbusTable table, ushort address, bool[]? bits, ushort[]? registers)
    {
        Slave = slave;
        Table = table;
        Address = address;
        Bits = bits;
        Registers = registers;
    }

    public byte Slave { get; }

    /// <summary><see cref="ModbusTable.Coil"/> or <see cref="ModbusTable.Holding"/>.</summary>
    public ModbusTable Table { get; }

    public ushort Address { get; }

    public IReadOnlyList<bool>? Bits { get; }

    public IReadOnlyList<ushort>? Registers { get; }

    public static ModbusWrite Coil(byte slave, ushort address, bool value) => new(slave, ModbusTable.Coil, address, [value], null);

    public static ModbusWrite Coils(byte slave, ushort address, IEnumerable<bool> values) =>
        new(slave, ModbusTable.Coil, address, NotEmpty(values), null);

    public static ModbusWrite HoldingRegister(byte slave, ushort address, ushort value) => new(slave, ModbusTable.Holding, address, null, [value]);

    public static ModbusWrite HoldingRegisters(byte slave, ushort address, IEnumerable<ushort> values) =>
        new(slave, ModbusTable.Holding, address, null, NotEmpty(values));

    internal async Task SendAsync(IModbusClient client, CancellationToken cancellationToken)
    {
        switch (Table)
        {
            case ModbusTable.Coil when Bits!.Count == 1:
                await client.WriteSingleCoilAsync(Slave, Address, Bits[0], cancellationToken).ConfigureAwait(false);
                break;
            case ModbusTable.Coil:
                await client.WriteMultipleCoilsAsync(Slave, Address, Bits!.ToArray(), cancellationToken).ConfigureAwait(false);
                break;
            case ModbusTable.Holding when Registers!.Count == 1:
                await client.WriteSingleRegisterAsync(Slave, Address, Registers[0], cancellationToken).ConfigureAwait(false);
                break;
            default:
                await client.WriteMultipleRegistersAsync(Slave, Address, Registers!.ToArray(), cancellationToken).ConfigureAwait(false);
                break;
        }
    }

    private static T[] NotEmpty<T>(IEnumerable<T> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        var array = values.ToArray();
        return array.Length > 0 ? array : throw new ArgumentException("a write needs at least one value", nameof(values));
    }
}
