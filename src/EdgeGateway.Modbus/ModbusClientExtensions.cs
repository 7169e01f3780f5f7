namespace EdgeGateway.Modbus;

public static class ModbusClientExtensions
{
    /// <summary>
    /// Reads <paramref name="count"/> items of any table into 16-bit words: registers as they are, coils and
    /// discrete inputs as 0 or 1. FC01/02/03/04 by <paramref name="table"/>.
    /// </summary>
    public static async Task<ushort[]> ReadAsync(this IModbusClient client, byte slave, ModbusTable table, ushort address, ushort count, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(client);
        switch (table)
        {
            case ModbusTable.Holding:
                return await client.ReadHoldingRegistersAsync(slave, address, count, cancellationToken).ConfigureAwait(false);
            case ModbusTable.Input:
                return await client.ReadInputRegistersAsync(slave, address, count, cancellationToken).ConfigureAwait(false);
            case ModbusTable.Coil:
                return ToWords(await client.ReadCoilsAsync(slave, address, count, cancellationToken).ConfigureAwait(false));
            case ModbusTable.Discrete:
                return ToWords(await client.ReadDiscreteInputsAsync(slave, address, count, cancellationToken).ConfigureAwait(false));
            default:
                throw new ArgumentOutOfRangeException(nameof(table), table, "unknown table");
        }
    }

    private static ushort[] ToWords(bool[] bits) => Array.ConvertAll(bits, static b => b ? (ushort)1 : (ushort)0);
}
