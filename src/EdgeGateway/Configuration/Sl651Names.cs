using System.Globalization;
using EdgeGateway.Sl651;
using EdgeGateway.Uplink.Sl651;

namespace EdgeGateway.Configuration;

/// <summary>What <c>uplink.sl651</c> may name: station type letters and the elements the station can fill.</summary>
public static class Sl651Names
{
    /// <summary>A supported element: where its value comes from and which sensor kinds can give it.</summary>
    public sealed record ElementUse(Sl651Source Source, IReadOnlyList<SensorKind> Kinds, string Needs);

    private static readonly SensorKind[] Rain = [SensorKind.RainPulse, SensorKind.RainTotal];

    public static IReadOnlyDictionary<string, Sl651StationType> StationTypes { get; } = new Dictionary<string, Sl651StationType>(StringComparer.Ordinal)
    {
        ["P"] = Sl651StationType.Rain,
        ["H"] = Sl651StationType.River,
        ["K"] = Sl651StationType.Reservoir,
        ["Z"] = Sl651StationType.Sluice,
        ["D"] = Sl651StationType.Pump,
        ["T"] = Sl651StationType.Tide,
        ["M"] = Sl651StationType.SoilMoisture,
        ["G"] = Sl651StationType.GroundWater,
        ["Q"] = Sl651StationType.WaterQuality,
        ["I"] = Sl651StationType.Intake,
        ["O"] = Sl651StationType.Discharge,
    };

    /// <summary>Elements the station fills from its sensors, by identifier.</summary>
    public static IReadOnlyDictionary<ushort, ElementUse> Supported { get; } = new Dictionary<ushort, ElementUse>
    {
        [Sl651Elements.HourRainfall] = new(Sl651Source.RainLastHour, Rain, "a rain sensor (rain-pulse or rain-total)"),
        [Sl651Elements.DailyRainfall] = new(Sl651Source.RainToday, Rain, "a rain sensor (rain-pulse or rain-total)"),
        [Sl651Elements.AccumulatedRainfall] = new(Sl651Source.RainTotal, Rain, "a rain sensor (rain-pulse or rain-total)"),
        [Sl651Elements.SupplyVoltage] = new(Sl651Source.Value, [SensorKind.Analog], "an analog sensor (a supply voltage in V)"),
        [Sl651Elements.RiverLevel] = new(Sl651Source.Value, [SensorKind.WaterLevel], "a water-level sensor (in m)"),
    };

    /// <summary>"39", "1A" (one byte in hex) to its identifier.</summary>
    public static bool TryParseElement(string text, out ushort id)
    {
        id = 0;
        if (text is not { Length: 2 } || !byte.TryParse(text, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var b))
        {
            return false;
        }

        id = b;
        return true;
    }
}
