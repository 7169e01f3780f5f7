using EdgeGateway.Modbus;
using EdgeGateway.Modbus.Transports;

namespace EdgeGateway.Acquisition.Buses;

/// <summary>Builds the Modbus master of a bus from its options. Nothing is opened until the first request.</summary>
internal static class ModbusBusFactory
{
    public static IModbusClient CreateClient(ModbusBusOptions bus, TimeProvider time)
    {
        var options = new ModbusClientOptions { Timeout = bus.Timeout, Retries = bus.Retries, TimeProvider = time };
        if (bus.Tcp is { } tcp)
        {
            return ModbusClient.CreateTcp(tcp.Host, tcp.Port, options);
        }

        if (bus.Rtu is { } rtu)
        {
            return ModbusClient.CreateRtu(new SerialSettings(rtu.Port, rtu.Baud, rtu.Parity, rtu.StopBits), options);
        }

        throw new ArgumentException($"bus {bus.Id} has neither an RTU port nor a TCP host", nameof(bus));
    }
}
