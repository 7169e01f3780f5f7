namespace EdgeGateway.Sl651;

/// <summary>What an identifier means, in which unit, and its standard definition byte.</summary>
public sealed record Sl651ElementInfo(ushort Id, string Name, string Unit, byte Definition, Sl651ValueKind Kind)
{
    public int Length => Definition >> 3;

    public int Decimals => Definition & 0x07;
}

/// <summary>
/// The element identifiers the station sends and the decoder names. Other identifiers still decode: as BCD
/// numbers with the definition byte the frame carries.
/// </summary>
public static class Sl651Elements
{
    public const ushort HourRainfall = 0x1A;
    public const ushort DailyRainfall = 0x1F;
    public const ushort CurrentRainfall = 0x20;
    public const ushort AccumulatedRainfall = 0x26;
    public const ushort SupplyVoltage = 0x38;
    public const ushort RiverLevel = 0x39;
    public const ushort Status = 0x45;
    public const ushort FiveMinuteRainfalls = 0xF4;
    public const ushort FiveMinuteLevels = 0xF5;

    private static readonly Sl651ElementInfo[] s_all =
    [
        new(HourRainfall, "rainfall of the 1-hour period", "mm", 0x19, Sl651ValueKind.Number),
        new(DailyRainfall, "daily rainfall", "mm", 0x19, Sl651ValueKind.Number),
        new(CurrentRainfall, "current rainfall", "mm", 0x19, Sl651ValueKind.Number),
        new(AccumulatedRainfall, "accumulated rainfall", "mm", 0x19, Sl651ValueKind.Number),
        new(SupplyVoltage, "supply voltage", "V", 0x12, Sl651ValueKind.Number),
        new(RiverLevel, "instantaneous river level", "m", 0x23, Sl651ValueKind.Number),
        new(Status, "status and alarm word", "", 0x20, Sl651ValueKind.Binary),
        new(FiveMinuteRainfalls, "5-minute rainfalls of the hour", "0.1 mm", 0x60, Sl651ValueKind.Binary),
        new(FiveMinuteLevels, "5-minute relative river levels", "0.01 m", 0xC0, Sl651ValueKind.Binary),
    ];

    public static IReadOnlyList<Sl651ElementInfo> All => s_all;

    public static Sl651ElementInfo? Find(ushort id) => Array.Find(s_all, e => e.Id == id);

    /// <summary>Binary identifiers keep their bytes as they are; every other identifier is a BCD number.</summary>
    public static bool IsBinary(ushort id) => Find(id)?.Kind == Sl651ValueKind.Binary;
}
