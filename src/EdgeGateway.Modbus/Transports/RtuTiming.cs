using System.IO.Ports;

namespace EdgeGateway.Modbus.Transports;

/// <summary>
/// Character timing of a serial line for Modbus RTU. A frame ends with at least 3.5 character times of
/// silence (t3.5) and may have no gap longer than 1.5 character times inside it (t1.5). Above 19200 baud the
/// specification fixes them at 1.75 ms and 0.75 ms.
/// </summary>
public readonly record struct RtuTiming(TimeSpan CharacterTime, TimeSpan T15, TimeSpan T35)
{
    /// <summary>No character timing: a stream that is not a serial line.</summary>
    public static RtuTiming None => default;

    public static RtuTiming ForSerial(int baudRate, Parity parity = Parity.None, StopBits stopBits = StopBits.One, int dataBits = 8)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(baudRate);
        var bits = 1 + dataBits + (parity == Parity.None ? 0 : 1) + stopBits switch
        {
            StopBits.Two => 2,
            StopBits.OnePointFive => 1.5,
            _ => 1,
        };
        var character = TimeSpan.FromSeconds(bits / baudRate);
        return baudRate > 19200
            ? new RtuTiming(character, TimeSpan.FromMicroseconds(750), TimeSpan.FromMicroseconds(1750))
            : new RtuTiming(character, character * 1.5, character * 3.5);
    }
}
