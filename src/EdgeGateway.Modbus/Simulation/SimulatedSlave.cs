namespace EdgeGateway.Modbus.Simulation;

/// <summary>
/// One simulated slave: its four tables, changeable while it is being served (thread-safe). Every address
/// below a table's size reads 0 until set; an address at or beyond it is answered "illegal data address".
/// </summary>
public sealed class SimulatedSlave
{
    private const int FullSize = 65536;

    private readonly Lock _lock = new();
    private readonly ushort[] _holding = new ushort[FullSize];
    private readonly ushort[] _input = new ushort[FullSize];
    private readonly bool[] _coils = new bool[FullSize];
    private readonly bool[] _discrete = new bool[FullSize];
    private readonly int[] _sizes = [FullSize, FullSize, FullSize, FullSize];

    internal SimulatedSlave(byte address)
    {
        Address = address;
    }

    public byte Address { get; }

    /// <summary>When set, the slave receives requests but never answers (a dead or misaddressed device).</summary>
    public bool Silent { get; set; }

    /// <summary>When set, every request is answered with this exception (a device reporting a fault).</summary>
    public ModbusExceptionCode? FailWith { get; set; }

    /// <summary>Limits a table to addresses 0 to <paramref name="size"/> - 1.</summary>
    public void SetSize(ModbusTable table, int size)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(size);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(size, FullSize);
        lock (_lock)
        {
            _sizes[Index(table)] = size;
        }
    }

    public int GetSize(ModbusTable table)
    {
        lock (_lock)
        {
            return _sizes[Index(table)];
        }
    }

    public void SetRegisters(ModbusTable table, ushort address, ReadOnlySpan<ushort> values)
    {
        CheckSpan(address, values.Length);
        lock (_lock)
        {
            values.CopyTo(Registers(table).AsSpan(address));
        }
    }

    public void SetRegister(ModbusTable table, ushort address, ushort value) => SetRegisters(table, address, [value]);

    public ushort GetRegister(ModbusTable table, ushort address)
    {
        lock (_lock)
        {
            return Registers(table)[address];
        }
    }

    public void SetBits(ModbusTable table, ushort address, ReadOnlySpan<bool> values)
    {
        CheckSpan(address, values.Length);
        lock (_lock)
        {
            values.CopyTo(Bits(table).AsSpan(address));
        }
    }

    public void SetBit(ModbusTable table, ushort address, bool value) => SetBits(table, address, [value]);

    public bool GetBit(ModbusTable table, ushort address)
    {
        lock (_lock)
        {
            return Bits(table)[address];
        }
    }

    /// <summary>Stores <paramref name="value"/> as <paramref name="type"/> in <paramref name="order"/> from <paramref name="address"/>.</summary>
    public void SetValue(ModbusTable table, ushort address, RegisterType type, ByteOrder order, double value)
    {
        Span<ushort> registers = stackalloc ushort[4];
        var width = Decoding.RegisterDecoder.Width(type);
        Decoding.RegisterDecoder.Encode(value, type, order, registers);
        SetRegisters(table, address, registers[..width]);
    }

    /// <summary>
    /// Stores a value given by its bits (most significant first, as <see cref="Decoding.RegisterDecoder.ReadBits"/>
    /// returns them) over <paramref name="width"/> registers in <paramref name="order"/>: exact for 64-bit integers.
    /// </summary>
    public void SetValueBits(ModbusTable table, ushort address, ulong bits, int width, ByteOrder order)
    {
        Span<ushort> registers = stackalloc ushort[4];
        Decoding.RegisterDecoder.WriteBits(bits, width, order, registers);
        SetRegisters(table, address, registers[..width]);
    }

    /// <summary>Serves a read: copies the range, or returns the exception to answer.</summary>
    internal ModbusExceptionCode? Read(ModbusTable table, ushort address, int count, Span<ushort> registers, Span<bool> bits)
    {
        lock (_lock)
        {
            if (address + count > _sizes[Index(table)])
            {
                return ModbusExceptionCode.IllegalDataAddress;
            }

            if (table is ModbusTable.Holding or ModbusTable.Input)
            {
                Registers(table).AsSpan(address, count).CopyTo(registers);
            }
            else
            {
                Bits(table).AsSpan(address, count).CopyTo(bits);
            }

            return null;
        }
    }

    /// <summary>Serves a write to holding registers or coils.</summary>
    internal ModbusExceptionCode? Write(ushort address, ReadOnlySpan<ushort> registers, ReadOnlySpan<bool> bits)
    {
        var table = registers.IsEmpty ? ModbusTable.Coil : ModbusTable.Holding;
        var count = registers.IsEmpty ? bits.Length : registers.Length;
        lock (_lock)
        {
            if (address + count > _sizes[Index(table)])
            {
                return ModbusExceptionCode.IllegalDataAddress;
            }

            if (table == ModbusTable.Holding)
            {
                registers.CopyTo(_holding.AsSpan(address));
            }
            else
            {
                bits.CopyTo(_coils.AsSpan(address));
            }

            return null;
        }
    }

    private ushort[] Registers(ModbusTable table) => table switch
    {
        ModbusTable.Holding => _holding,
        ModbusTable.Input => _input,
        _ => throw new ArgumentException($"{table} holds bits, not registers", nameof(table)),
    };

    private bool[] Bits(ModbusTable table) => table switch
    {
        ModbusTable.Coil => _coils,
        ModbusTable.Discrete => _discrete,
        _ => throw new ArgumentException($"{table} holds registers, not bits", nameof(table)),
    };

    private static int Index(ModbusTable table) => table switch
    {
        ModbusTable.Coil => 0,
        ModbusTable.Discrete => 1,
        ModbusTable.Holding => 2,
        ModbusTable.Input => 3,
        _ => throw new ArgumentOutOfRangeException(nameof(table), table, "unknown table"),
    };

    private static void CheckSpan(ushort address, int count)
    {
        if (address + count > FullSize)
        {
            throw new ArgumentOutOfRangeException(nameof(address), address, "The range runs past address 65535.");
        }
    }
}
