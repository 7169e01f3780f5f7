using System.Collections.Concurrent;
using System.Text;

namespace EdgeGateway.Configuration;

/// <summary>
/// How enum values are spelt in station.yaml and on the command line: kebab-case (<c>water-level</c>,
/// <c>rain-pulse</c>, <c>uint16</c>), except byte orders (<c>ABCD</c>) and CAP severities
/// (<c>Severe</c>), which keep the names of their standards. Parsing ignores case.
/// </summary>
public static class ConfigNames
{
    private static readonly ConcurrentDictionary<Type, string[]> s_names = new();

    public static string Name<T>(T value)
        where T : struct, Enum => Spell(typeof(T), value.ToString());

    public static IReadOnlyList<string> Names<T>()
        where T : struct, Enum => s_names.GetOrAdd(typeof(T), t => Enum.GetNames(t).Select(n => Spell(t, n)).ToArray());

    public static bool TryParse<T>(string text, out T value)
        where T : struct, Enum
    {
        ArgumentNullException.ThrowIfNull(text);
        foreach (var v in Enum.GetValues<T>())
        {
            if (string.Equals(Name(v), text.Trim(), StringComparison.OrdinalIgnoreCase))
            {
                value = v;
                return true;
            }
        }

        value = default;
        return false;
    }

    /// <summary>"a, b or c".</summary>
    public static string Expected<T>()
        where T : struct, Enum
    {
        var names = Names<T>();
        return names.Count == 1 ? names[0] : string.Join(", ", names.Take(names.Count - 1)) + " or " + names[^1];
    }

    private static string Spell(Type type, string name)
    {
        if (type == typeof(Modbus.ByteOrder) || type == typeof(CapSeverity))
        {
            return name;
        }

        var sb = new StringBuilder(name.Length + 4);
        for (var i = 0; i < name.Length; i++)
        {
            var c = name[i];
            if (char.IsUpper(c) && i > 0 && !char.IsUpper(name[i - 1]))
            {
                sb.Append('-');
            }

            sb.Append(char.ToLowerInvariant(c));
        }

        return sb.ToString();
    }
}
