using EdgeGateway.Core.Alerting;

namespace EdgeGateway.Uplink.Tests;

/// <summary>The levels of the example station (watch, prepare, evacuate) as the host builds them, and transitions between them.</summary>
internal static class TestLevels
{
    public static AlertLevels Standard { get; } = new(
    [
        new AlertLevel("watch") { Severity = "Moderate" },
        new AlertLevel("prepare") { Severity = "Severe" },
        new AlertLevel("evacuate") { Severity = "Extreme" },
    ]);

    /// <summary>The level <paramref name="id"/> of <paramref name="levels"/> (of <see cref="Standard"/> when null).</summary>
    public static AlertLevel Level(string id, AlertLevels? levels = null) => (levels ?? Standard).Get(id);
}
