using System.Globalization;
using System.Text;
using EdgeGateway.Core.Alerting;
using EdgeGateway.Core.Readings;

namespace EdgeGateway.Replay;

/// <summary>
/// The two printed forms of a level transition:
/// <c>2026-07-01T03:00:00Z rule rain-1h none -&gt; prepare value=31.5</c> and the JSON line
/// <c>{"time":"2026-07-01T03:00:00Z","scope":"rule","id":"rain-1h","from":"none","to":"prepare","value":31.5}</c>
/// (value omitted for the station). Times to the second, numbers in shortest round-trip form.
/// </summary>
public static class TransitionFormat
{
    public static string Text(LevelTransition transition)
    {
        ArgumentNullException.ThrowIfNull(transition);
        var line = new StringBuilder(80)
            .Append(Time(transition.Time)).Append(' ')
            .Append(Scope(transition.Scope)).Append(' ')
            .Append(transition.Id).Append(' ')
            .Append(transition.From).Append(" -> ").Append(transition.To);
        if (transition.Scope == TransitionScope.Rule && transition.Value is { } value)
        {
            line.Append(" value=").Append(Number(value));
        }

        return line.ToString();
    }

    public static string Json(LevelTransition transition)
    {
        ArgumentNullException.ThrowIfNull(transition);
        var line = new StringBuilder(120)
            .Append("{\"time\":\"").Append(Time(transition.Time))
            .Append("\",\"scope\":\"").Append(Scope(transition.Scope))
            .Append("\",\"id\":").Append(JsonString(transition.Id))
            .Append(",\"from\":").Append(JsonString(transition.From))
            .Append(",\"to\":").Append(JsonString(transition.To));
        if (transition.Scope == TransitionScope.Rule && transition.Value is { } value)
        {
            line.Append(",\"value\":").Append(Number(value));
        }

        return line.Append('}').ToString();
    }

    /// <summary>Shortest round-trip form, lower-case exponent: 31.5, 20, -0.655, 1e-05 (<see cref="ValueText.Format(double)"/>).</summary>
    public static string Number(double value) => ValueText.Format(value);

    public static string Time(DateTimeOffset time) =>
        time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    private static string Scope(TransitionScope scope) => scope == TransitionScope.Rule ? "rule" : "station";

    // The serializer's own string writer and escaping, without the reflection-based Serialize overload.
    private static string JsonString(string text) =>
        System.Text.Json.Nodes.JsonValue.Create(text).ToJsonString();
}
