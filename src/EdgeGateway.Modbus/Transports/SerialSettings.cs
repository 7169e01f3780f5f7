using System.IO.Ports;

namespace EdgeGateway.Modbus.Transports;

/// <summary>A serial line: device path and character format. Modbus RTU uses 8 data bits.</summary>
public sealed record SerialSettings(
    string Device,
    int BaudRate = SerialSettings.DefaultBaudRate,
    Parity Parity = Parity.None,
    StopBits StopBits = StopBits.One)
{
    public const int DefaultBaudRate = 9600;

    public RtuTiming Timing => RtuTiming.ForSerial(BaudRate, Parity, StopBits);
}
