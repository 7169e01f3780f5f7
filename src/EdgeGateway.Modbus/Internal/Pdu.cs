using System.Buffers.Binary;

namespace EdgeGateway.Modbus.Internal;

/// <summary>
/// Builds request PDUs and judges response PDUs against the request that asked for them. A PDU is the
/// function code and its data, the part RTU and TCP share:
/// <code>
/// read request      [fc] [address hi lo] [count hi lo]
/// read response     [fc] [byte count N] [N data bytes]       registers: 2 bytes each, big endian
///                                                             bits: LSB of the first byte is the first bit
/// write single      [fc] [address hi lo] [value hi lo]        response: the same 5 bytes echoed
/// write multiple    [fc] [address hi lo] [quantity hi lo] [byte count N] [N bytes]
///                   response: [fc] [address hi lo] [quantity hi lo]
/// exception         [fc | 0x80] [exception code]
/// </code>
/// Every length and count from the wire is compared with what the request implies before it is used.
/// </summary>
internal static class Pdu
{
    public const int MaxLength = 253;
    public const int MaxReadRegisters = 125;
    public const int MaxReadBits = 2000;
    public const int MaxWriteRegisters = 123;
    public const int MaxWriteCoils = 1968;

    public static int WriteReadRequest(Span<byte> pdu, ModbusFunction function, ushort address, ushort count)
    {
        pdu[0] = (byte)function;
        BinaryPrimitives.WriteUInt16BigEndian(pdu[1..], address);
        BinaryPrimitives.WriteUInt16BigEndian(pdu[3..], count);
        return 5;
    }

    public static int WriteSingleCoil(Span<byte> pdu, ushort address, bool value)
    {
        pdu[0] = (byte)ModbusFunction.WriteSingleCoil;
        BinaryPrimitives.WriteUInt16BigEndian(pdu[1..], address);
        BinaryPrimitives.WriteUInt16BigEndian(pdu[3..], value ? (ushort)0xFF00 : (ushort)0x0000);
        return 5;
    }

    public static int WriteSingleRegister(Span<byte> pdu, ushort address, ushort value)
    {
        pdu[0] = (byte)ModbusFunction.WriteSingleRegister;
        BinaryPrimitives.WriteUInt16BigEndian(pdu[1..], address);
        BinaryPrimitives.WriteUInt16BigEndian(pdu[3..], value);
        return 5;
    }

    public static int WriteMultipleCoils(Span<byte> pdu, ushort address, ReadOnlySpan<bool> values)
    {
        var byteCount = (values.Length + 7) / 8;
        pdu[0] = (byte)ModbusFunction.WriteMultipleCoils;
        BinaryPrimitives.WriteUInt16BigEndian(pdu[1..], address);
        BinaryPrimitives.WriteUInt16BigEndian(pdu[3..], (ushort)values.Length);
        pdu[5] = (byte)byteCount;
        var data = pdu.Slice(6, byteCount);
        data.Clear();
        for (var i = 0; i < values.Length; i++)
        {
            if (values[i])
            {
                data[i >> 3] |= (byte)(1 << (i & 7));
            }
        }

        return 6 + byteCount;
    }

    public static int WriteMultipleRegisters(Span<byte> pdu, ushort address, ReadOnlySpan<ushort> values)
    {
        pdu[0] = (byte)ModbusFunction.WriteMultipleRegisters;
        BinaryPrimitives.WriteUInt16BigEndian(pdu[1..], address);
        BinaryPrimitives.WriteUInt16BigEndian(pdu[3..], (ushort)values.Length);
        pdu[5] = (byte)(values.Length * 2);
        for (var i = 0; i < values.Length; i++)
        {
            BinaryPrimitives.WriteUInt16BigEndian(pdu[(6 + (2 * i))..], values[i]);
        }

        return 6 + (values.Length * 2);
    }

    /// <summary>The byte count a read response must carry for this read request.</summary>
    public static int ExpectedByteCount(ReadOnlySpan<byte> request)
    {
        var count = BinaryPrimitives.ReadUInt16BigEndian(request[3..]);
        return (ModbusFunction)request[0] is ModbusFunction.ReadCoils or ModbusFunction.ReadDiscreteInputs
            ? (count + 7) / 8
            : count * 2;
    }

    public static bool IsRead(byte function) => function is >= 1 and <= 4;

    /// <summary>The length of the normal (non-exception) response PDU to this request.</summary>
    public static int ExpectedResponseLength(ReadOnlySpan<byte> request) =>
        IsRead(request[0]) ? 2 + ExpectedByteCount(request) : 5;

    /// <summary>
    /// From the first bytes of a response PDU (function code first), the PDU's whole length, or 0 while more
    /// bytes are needed to tell. Throws as soon as the bytes seen cannot start a valid answer to the request,
    /// so a bad frame is refused without waiting for bytes that may never come.
    /// </summary>
    public static int ResponseLength(ReadOnlySpan<byte> request, ReadOnlySpan<byte> received)
    {
        if (received.IsEmpty)
        {
            return 0;
        }

        var function = received[0];
        if (function == (request[0] | 0x80))
        {
            return 2;
        }

        if (function != request[0])
        {
            throw WrongFunction(request[0], function);
        }

        if (!IsRead(function))
        {
            return 5;
        }

        if (received.Length < 2)
        {
            return 0;
        }

        var expected = ExpectedByteCount(request);
        if (received[1] != expected)
        {
            throw new ModbusFrameException(ModbusFrameError.BadByteCount, $"byte count {received[1]}, expected {expected}");
        }

        return 2 + expected;
    }

    /// <summary>
    /// Judges a complete response PDU. Returns normally only for a well-formed answer to this request;
    /// throws <see cref="ModbusExceptionResponse"/> for an exception response and
    /// <see cref="ModbusFrameException"/> for anything else.
    /// </summary>
    public static void Validate(ReadOnlySpan<byte> request, ReadOnlySpan<byte> response)
    {
        if (response.IsEmpty)
        {
            throw new ModbusFrameException(ModbusFrameError.BadLength, "empty PDU");
        }

        var function = response[0];
        if (function == (request[0] | 0x80))
        {
            if (response.Length != 2)
            {
                throw new ModbusFrameException(ModbusFrameError.BadLength, $"exception response of {response.Length} bytes, expected 2");
            }

            throw new ModbusExceptionResponse(request[0], (ModbusExceptionCode)response[1]);
        }

        if (function != request[0])
        {
            throw WrongFunction(request[0], function);
        }

        if (IsRead(function))
        {
            if (response.Length < 2)
            {
                throw new ModbusFrameException(ModbusFrameError.BadLength, "read response without byte count");
            }

            var expected = ExpectedByteCount(request);
            if (response[1] != expected)
            {
                throw new ModbusFrameException(ModbusFrameError.BadByteCount, $"byte count {response[1]}, expected {expected}");
            }

            if (response.Length != 2 + expected)
            {
                throw new ModbusFrameException(ModbusFrameError.BadLength, $"PDU of {response.Length} bytes, expected {2 + expected}");
            }

            return;
        }

        if (response.Length != 5)
        {
            throw new ModbusFrameException(ModbusFrameError.BadLength, $"write response of {response.Length} bytes, expected 5");
        }

        // FC05/06 echo address and value; FC15/16 echo address and quantity: bytes 1-4 of the request in all four.
        if (!response.Slice(1, 4).SequenceEqual(request.Slice(1, 4)))
        {
            throw new ModbusFrameException(ModbusFrameError.BadEcho, "write response does not echo the request");
        }
    }

    /// <summary>Copies the registers of a validated read response.</summary>
    public static void ReadRegisters(ReadOnlySpan<byte> response, Span<ushort> destination)
    {
        var data = response.Slice(2, destination.Length * 2);
        for (var i = 0; i < destination.Length; i++)
        {
            destination[i] = BinaryPrimitives.ReadUInt16BigEndian(data[(2 * i)..]);
        }
    }

    /// <summary>Copies the bits of a validated read response (first bit in the LSB of the first byte).</summary>
    public static void ReadBits(ReadOnlySpan<byte> response, Span<bool> destination)
    {
        var data = response.Slice(2, (destination.Length + 7) / 8);
        for (var i = 0; i < destination.Length; i++)
        {
            destination[i] = (data[i >> 3] & (1 << (i & 7))) != 0;
        }
    }

    private static ModbusFrameException WrongFunction(byte requested, byte received) =>
        new(ModbusFrameError.WrongFunction, $"function {received}, expected {requested}");
}
