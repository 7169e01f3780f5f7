using System.Globalization;
using System.Text;

namespace EdgeGateway.Core.Alerting;

/// <summary>
/// Configured CAP texts for one level (or the all-clear), in the station's language; each is optional and the English
/// text stands where one is absent. A text may name the transition with placeholders, filled per document.
/// </summary>
public sealed class CapTexts
{
    /// <summary>What a text may name: the rule's id (<c>station</c> for the station level), the levels, the measure and the threshold crossed.</summary>
    public static IReadOnlyList<string> Placeholders { get; } = ["{rule}", "{from}", "{to}", "{value}", "{threshold}"];

    public string? Headline { get; init; }

    public string? Description { get; init; }

    public string? Instruction { get; init; }

    /// <summary>The first <c>{name}</c> in <paramref name="text"/> that is not one of <see cref="Placeholders"/>, or null.</summary>
    public static string? UnknownPlaceholder(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        for (var open = text.IndexOf('{', StringComparison.Ordinal); open >= 0; open = text.IndexOf('{', open + 1))
        {
            var close = text.IndexOf('}', open);
            if (close < 0)
            {
                return null;
            }

            var name = text[open..(close + 1)];
            if (!Placeholders.Contains(name, StringComparer.Ordinal))
            {
                return name;
            }
        }

        return null;
    }

    /// <summary>
    /// <paramref name="text"/> with the placeholders filled for <paramref name="t"/>. A value or threshold the
    /// transition does not have (the station level, a digital rule) is left empty: such a level's text should not use them.
    /// </summary>
    public static string Fill(string text, LevelTransition t)
    {
        if (!text.Contains('{', StringComparison.Ordinal))
        {
            return text;
        }

        return new StringBuilder(text)
            .Replace("{rule}", t.Scope == TransitionScope.Station ? LevelTransition.StationId : t.Id)
            .Replace("{from}", t.From)
            .Replace("{to}", t.To)
            .Replace("{value}", Number(t.Value))
            .Replace("{threshold}", Number(t.Threshold))
            .ToString();
    }

    private static string Number(double? v) =>
        v is { } x && double.IsFinite(x) ? x.ToString("R", CultureInfo.InvariantCulture) : "";
}
