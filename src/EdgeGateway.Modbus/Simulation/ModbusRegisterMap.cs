using System.Collections.Concurrent;

namespace EdgeGateway.Modbus.Simulation;

/// <summary>The slaves a simulator serves, by address. Slaves can be added and changed while it runs.</summary>
public sealed class ModbusRegisterMap
{
    private readonly ConcurrentDictionary<byte, SimulatedSlave> _slaves = new();

    /// <summary>The slave at <paramref name="address"/>, created (all registers 0) if it does not exist yet.</summary>
    public SimulatedSlave Slave(byte address) => _slaves.GetOrAdd(address, static a => new SimulatedSlave(a));

    public bool TryGetSlave(byte address, out SimulatedSlave slave) => _slaves.TryGetValue(address, out slave!);

    public IReadOnlyCollection<SimulatedSlave> Slaves => [.. _slaves.Values.OrderBy(s => s.Address)];
}
