using EdgeGateway.Modbus;

namespace EdgeGateway.Acquisition.Buses;

/// <summary>What a bus scheduler hands each point's outcome to.</summary>
internal interface IPointSink
{
    /// <summary>The point's registers (coils and discrete inputs as 0/1 words), read at <paramref name="time"/>.</summary>
    void OnRegisters(DateTimeOffset time, ReadOnlySpan<ushort> registers);

    void OnFault(DateTimeOffset time, string reason);
}

/// <summary>One run of registers (or bits) of one slave that a scheduler reads every <see cref="Period"/>.</summary>
internal sealed class PollPoint(string id, byte slave, ModbusTable table, ushort address, ushort count, TimeSpan period, IPointSink sink)
{
    public string Id { get; } = id;
    public byte Slave { get; } = slave;
    public ModbusTable Table { get; } = table;
    public ushort Address { get; } = address;
    public ushort Count { get; } = count;
    public TimeSpan Period { get; } = period;
    public IPointSink Sink { get; } = sink;

    /// <summary>One past the last register.</summary>
    public int End => Address + Count;

    /// <summary>When the point is next read (on a fixed grid from the scheduler's start).</summary>
    public DateTimeOffset Due { get; set; }

    /// <summary>
    /// Set when a coalesced request containing this point was refused (exception response): the slave does not
    /// serve the whole span, so from then on the point is read on its own.
    /// </summary>
    public bool Alone { get; set; }
}
