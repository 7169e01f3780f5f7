using System.Buffers;
using System.Runtime.CompilerServices;

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

    /// <summary>
    /// Reads as many items of any table as <paramref name="destination"/> holds, into 16-bit words as
    /// <see cref="ReadAsync(IModbusClient, byte, ModbusTable, ushort, ushort, CancellationToken)"/> does, without
    /// allocating per request: for polling loops that read the same span again and again.
    /// </summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    public static async ValueTask ReadAsync(this IModbusClient client, byte slave, ModbusTable table, ushort address, Memory<ushort> destination, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(client);
        switch (table)
        {
            case ModbusTable.Holding:
                await client.ReadHoldingRegistersAsync(slave, address, destination, cancellationToken).ConfigureAwait(false);
                return;
            case ModbusTable.Input:
                await client.ReadInputRegistersAsync(slave, address, destination, cancellationToken).ConfigureAwait(false);
                return;
            case ModbusTable.Coil or ModbusTable.Discrete:
                var bits = ArrayPool<bool>.Shared.Rent(destination.Length);
                try
                {
                    var into = bits.AsMemory(0, destination.Length);
                    if (table == ModbusTable.Coil)
                    {
                        await client.ReadCoilsAsync(slave, address, into, cancellationToken).ConfigureAwait(false);
                    }
                    else
                    {
                        await client.ReadDiscreteInputsAsync(slave, address, into, cancellationToken).ConfigureAwait(false);
                    }

                    var words = destination.Span;
                    for (var i = 0; i < words.Length; i++)
                    {
                        words[i] = bits[i] ? (ushort)1 : (ushort)0;
                    }
                }
                finally
                {
                    ArrayPool<bool>.Shared.Return(bits);
                }

                return;
            default:
                throw new ArgumentOutOfRangeException(nameof(table), table, "unknown table");
        }
    }

    private static ushort[] ToWords(bool[] bits) => Array.ConvertAll(bits, static b => b ? (ushort)1 : (ushort)0);
}
