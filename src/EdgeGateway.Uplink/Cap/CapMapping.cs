using EdgeGateway.Core.Alerting;

namespace EdgeGateway.Uplink.Cap;

/// <summary>
/// Maps alerting levels onto CAP: severity as configured per level; responseType Evacuate, Prepare or
/// Monitor by level (AllClear on return to none); urgency Immediate for the top level, Expected for the
/// ones below it, Future for the lowest when there are three or more, Past on clear.
/// </summary>
internal sealed class CapMapping
{
    public const string ClearedSeverity = "Minor";

    private static readonly HashSet<string> Severities = ["Extreme", "Severe", "Moderate", "Minor", "Unknown"];
    private static readonly HashSet<string> ResponseTypes =
        ["Shelter", "Evacuate", "Prepare", "Execute", "Avoid", "Monitor", "Assess", "AllClear", "None"];
    private static readonly HashSet<string> Urgencies = ["Immediate", "Expected", "Future", "Past", "Unknown"];

    private readonly Dictionary<string, (string Severity, string Response, string Urgency, CapTexts? Texts)> _levels = new(StringComparer.Ordinal);
    private readonly CapTexts? _allClear;

    public CapMapping(IList<AlertLevelOptions> levels, CapTexts? allClear = null)
    {
        _allClear = allClear;
        for (var i = 0; i < levels.Count; i++)
        {
            var l = levels[i];
            var severity = Severities.Contains(l.Severity) ? l.Severity : "Unknown";
            var response = l.ResponseType is { } r && ResponseTypes.Contains(r) ? r : DefaultResponse(l.Id);
            var urgency = l.Urgency is { } u && Urgencies.Contains(u) ? u
                : i == levels.Count - 1 ? "Immediate"
                : i == 0 && levels.Count >= 3 ? "Future"
                : "Expected";
            _levels[l.Id] = (severity, response, urgency, l.Cap);
        }
    }

    /// <summary>Severity of the level reached (Minor once cleared).</summary>
    public string Severity(LevelTransition t) =>
        t.To == LevelTransition.None ? ClearedSeverity
        : _levels.TryGetValue(t.To, out var l) ? l.Severity : "Unknown";

    public string ResponseType(LevelTransition t) =>
        t.To == LevelTransition.None ? "AllClear"
        : _levels.TryGetValue(t.To, out var l) ? l.Response : DefaultResponse(t.To);

    public string Urgency(LevelTransition t) =>
        t.To == LevelTransition.None ? "Past"
        : _levels.TryGetValue(t.To, out var l) ? l.Urgency : "Unknown";

    /// <summary>The configured texts for the level reached (the all-clear's on return to none), or null for English.</summary>
    public CapTexts? Texts(LevelTransition t) =>
        t.To == LevelTransition.None ? _allClear
        : _levels.TryGetValue(t.To, out var l) ? l.Texts : null;

    /// <summary>Alert on a first rise from none, Cancel on return to none, Update on any other change.</summary>
    public static string MsgType(LevelTransition t) =>
        t.To == LevelTransition.None ? "Cancel"
        : t.From == LevelTransition.None ? "Alert"
        : "Update";

    private static string DefaultResponse(string levelId) => levelId switch
    {
        "evacuate" => "Evacuate",
        "prepare" => "Prepare",
        _ => "Monitor",
    };
}
