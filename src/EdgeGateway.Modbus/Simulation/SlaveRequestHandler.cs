using System.Buffers.Binary;
using EdgeGateway.Modbus.Internal;

namespace EdgeGateway.Modbus.Simulation;

/// <summary>
/// The slave side of a PDU exchange, shared by the TCP and RTU servers: judges a request PDU and writes the
/// response PDU (or an exception response) from the register map.
/// </summary>
internal static class SlaveRequestHandler
{
    /// <summary>Length of the response PDU written to <paramref name="response"/>, or 0 for no answer.</summary>
    public static int Handle(ModbusRegisterMap map, byte unit, ReadOnlySpan<byte> request, Span<byte> response)
    {
        if (!map.TryGetSlave(unit, out var slave) || slave.Silent || request.IsEmpty)
        {
            return 0;
        }

        var function = request[0];
        if (slave.FailWith is { } failure)
        {
            return Exception(response, function, failure);
        }

        return function switch
        {
            >= 1 and <= 4 => Read(slave, request, response),
            5 or 6 or 15 or 16 => Write(slave, request, response),
            _ => Exception(response, function, ModbusExceptionCode.IllegalFunction),
        };
    }

    /// <summary>RTU: the whole request frame's length from its first bytes, 0 if more are needed, -1 if unknown.</summary>
    public static int RtuRequestLength(ReadOnlySpan<byte> received)
    {
        if (received.Length < 2)
        {
            return 0;
        }

        return received[1] switch
        {
            >= 1 and <= 6 => 8,
            15 or 16 => received.Length < 7 ? 0 : 9 + received[6],
            _ => -1,
        };
    }

    private static int Read(SimulatedSlave slave, ReadOnlySpan<byte> request, Span<byte> response)
    {
        var function = request[0];
        if (request.Length != 5)
        {
            return Exception(response, function, ModbusExceptionCode.IllegalDataValue);
        }

        var address = BinaryPrimitives.ReadUInt16BigEndian(request[1..]);
        var count = BinaryPrimitives.ReadUInt16BigEndian(request[3..]);
        var bits = function <= 2;
        if (count < 1 || count > (bits ? Pdu.MaxReadBits : Pdu.MaxReadRegisters))
        {
            return Exception(response, function, ModbusExceptionCode.IllegalDataValue);
        }

        var table = (ModbusFunction)function switch
        {
            ModbusFunction.ReadCoils => ModbusTable.Coil,
            ModbusFunction.ReadDiscreteInputs => ModbusTable.Discrete,
            ModbusFunction.ReadHoldingRegisters => ModbusTable.Holding,
            _ => ModbusTable.Input,
        };
        Span<ushort> registers = stackalloc ushort[bits ? 0 : count];
        Span<bool> values = stackalloc bool[bits ? count : 0];
        if (slave.Read(table, address, count, registers, values) is { } error)
        {
            return Exception(response, function, error);
        }

        response[0] = function;
        if (bits)
        {
            var byteCount = (count + 7) / 8;
            response[1] = (byte)byteCount;
            var data = response.Slice(2, byteCount);
            data.Clear();
            for (var i = 0; i < count; i++)
            {
                if (values[i])
                {
                    data[i >> 3] |= (byte)(1 << (i & 7));
                }
            }

            return 2 + byteCount;
        }

        response[1] = (byte)(count * 2);
        for (var i = 0; i < count; i++)
        {
            BinaryPrimitives.WriteUInt16BigEndian(response[(2 + (2 * i))..], registers[i]);
        }

        return 2 + (count * 2);
    }

    private static int Write(SimulatedSlave slave, ReadOnlySpan<byte> request, Span<byte> response)
    {
        var function = request[0];
        if (request.Length < 5)
        {
            return Exception(response, function, ModbusExceptionCode.IllegalDataValue);
        }

        var address = BinaryPrimitives.ReadUInt16BigEndian(request[1..]);
        var field = BinaryPrimitives.ReadUInt16BigEndian(request[3..]);
        ModbusExceptionCode? error;
        switch (function)
        {
            case 5:
                if (request.Length != 5 || (field != 0xFF00 && field != 0x0000))
                {
                    return Exception(response, function, ModbusExceptionCode.IllegalDataValue);
                }

                error = slave.Write(address, [], [field == 0xFF00]);
                break;
            case 6:
                if (request.Length != 5)
                {
                    return Exception(response, function, ModbusExceptionCode.IllegalDataValue);
                }

                error = slave.Write(address, [field], []);
                break;
            case 15:
            {
                var byteCount = (field + 7) / 8;
                if (field < 1 || field > Pdu.MaxWriteCoils || request.Length != 6 + byteCount || request[5] != byteCount)
                {
                    return Exception(response, function, ModbusExceptionCode.IllegalDataValue);
                }

                Span<bool> bits = stackalloc bool[field];
                for (var i = 0; i < field; i++)
                {
                    bits[i] = (request[6 + (i >> 3)] & (1 << (i & 7))) != 0;
                }

                error = slave.Write(address, [], bits);
                break;
            }

            default:
            {
                if (field < 1 || field > Pdu.MaxWriteRegisters || request.Length != 6 + (2 * field) || request[5] != 2 * field)
                {
                    return Exception(response, function, ModbusExceptionCode.IllegalDataValue);
                }

                Span<ushort> registers = stackalloc ushort[field];
                for (var i = 0; i < field; i++)
                {
                    registers[i] = BinaryPrimitives.ReadUInt16BigEndian(request[(6 + (2 * i))..]);
                }

                error = slave.Write(address, registers, []);
                break;
            }
        }

        if (error is { } code)
        {
            return Exception(response, function, code);
        }

        // Single writes echo the request; multiple writes echo address and quantity.
        request[..5].CopyTo(response);
        return 5;
    }

    private static int Exception(Span<byte> response, byte function, ModbusExceptionCode code)
    {
        response[0] = (byte)(function | 0x80);
        response[1] = (byte)code;
        return 2;
    }
}
