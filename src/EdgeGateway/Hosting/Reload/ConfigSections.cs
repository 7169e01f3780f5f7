using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using EdgeGateway.Configuration;

namespace EdgeGateway.Hosting.Reload;

/// <summary>Which top-level sections of station.yaml differ between two configurations.</summary>
internal static class ConfigSections
{
    private static readonly JsonSerializerOptions Options = new()
    {
        // Positions in the file are not configuration: moving a line changes nothing.
        TypeInfoResolver = new DefaultJsonTypeInfoResolver
        {
            Modifiers =
            {
                info =>
                {
                    for (var i = info.Properties.Count - 1; i >= 0; i--)
                    {
                        if (info.Properties[i].Name == nameof(Located.Mark))
                        {
                            info.Properties.RemoveAt(i);
                        }
                    }
                },
            },
        },
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
        return changed;

        void Compare<T>(string name, T a, T b)
        {
            if (JsonSerializer.Serialize(a, Options) != JsonSerializer.Serialize(b, Options))
            {
                changed.Add(name);
            }
        }
    }
}
