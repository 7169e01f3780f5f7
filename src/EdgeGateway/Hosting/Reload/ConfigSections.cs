using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using EdgeGateway.Configuration;

namespace EdgeGateway.Hosting.Reload;

/// <summary>Which top-level sections of station.yaml differ between two configurations.</summary>
internal static class ConfigSections
{
    // Source-generated metadata (no reflection: the trimmed and Native AOT builds keep it exact).
    // Positions in the file are not configuration: moving a line changes nothing.
    private static readonly JsonSerializerOptions Options = new()
    {
        TypeInfoResolver = ConfigSectionsJsonContext.Default.WithAddedModifier(info =>
        {
            for (var i = info.Properties.Count - 1; i >= 0; i--)
            {
                if (info.Properties[i].Name == nameof(Located.Mark))
                {
                    info.Properties.RemoveAt(i);
                }
            }
        }),
    };

    public static IReadOnlyList<string> Changed(StationConfig before, StationConfig after)
    {
        var changed = new List<string>();
        Compare("station", before.Station, after.Station);
        Compare("hardware", before.Hardware, after.Hardware);
        Compare("control", before.Control, after.Control);
        Compare("storage", before.Storage, after.Storage);
        Compare("buses", before.Buses, after.Buses);
        Compare("sensors", before.Sensors, after.Sensors);
        Compare("alerting", before.Alerting, after.Alerting);
        Compare("broadcast", before.Broadcast, after.Broadcast);
        Compare("uplink", before.Uplink, after.Uplink);
        Compare("logging", before.Logging, after.Logging);
        return changed;

        void Compare<T>(string name, T a, T b)
        {
            if (!Same(a, b))
            {
                changed.Add(name);
            }
        }
    }

    /// <summary>True when two parts of a configuration say the same (positions in the file aside).</summary>
    public static bool Same<T>(T a, T b)
    {
        var info = Options.GetTypeInfo<T>();
        return JsonSerializer.Serialize(a, info) == JsonSerializer.Serialize(b, info);
    }
}

/// <summary>Every section of <see cref="StationConfig"/>, for <see cref="ConfigSections"/>.</summary>
[JsonSerializable(typeof(StationConfig))]
internal sealed partial class ConfigSectionsJsonContext : JsonSerializerContext;
