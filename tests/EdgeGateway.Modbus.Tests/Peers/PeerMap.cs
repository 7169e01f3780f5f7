using EdgeGateway.Modbus.Decoding;

namespace EdgeGateway.Modbus.Tests.Peers;

/// <summary>The register map modbus_peer.c serves (the same constants as its fill()).</summary>
internal static class PeerMap
{
    public const int Size = 600;
    public const int Bits = 2000;
    public const ushort BusyAddress = 599;

    public static ushort Holding(int address) => (ushort)(0x1000 + address);

    public static ushort Input(int address) => (ushort)(0x4000 + (3 * address));

    public static bool Coil(int address) => address % 3 == 0;

    public static bool Discrete(int address) => address % 5 == 1 || address % 7 == 0;

    /// <summary>Where each typed value starts (ABCD first, then CDAB, BADC, DCBA) and its raw bits.</summary>
    public static TheoryData<RegisterType, ByteOrder, ushort, ulong> TypedValues()
    {
        var data = new TheoryData<RegisterType, ByteOrder, ushort, ulong>();
        (RegisterType Type, ushort Base, ulong Bits)[] values =
        [
            (RegisterType.UInt16, 100, 0xBEEF),
            (RegisterType.Int16, 104, unchecked((ushort)(short)-1234)),
            (RegisterType.UInt32, 110, 3000000000u),
            (RegisterType.Int32, 120, unchecked((uint)-123456789)),
            (RegisterType.Float32, 130, BitConverter.SingleToUInt32Bits(123.456f)),
            (RegisterType.UInt64, 140, 0xF1E2D3C4B5A69788UL),
            (RegisterType.Int64, 160, unchecked((ulong)-1234567890123456789L)),
            (RegisterType.Float64, 180, BitConverter.DoubleToUInt64Bits(-2.718281828459045)),
        ];
        foreach (var (type, start, bits) in values)
        {
            var width = RegisterDecoder.Width(type);
            foreach (var order in Enum.GetValues<ByteOrder>())
            {
                data.Add(type, order, (ushort)(start + (width * (int)order)), bits);
            }
        }

        return data;
    }
}
