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

    private readonly AlertLevels _levels;
    private readonly (string Severity, string Response, string Urgency)[] _terms;
    private readonly CapTexts? _allClear;

    public CapMapping(AlertLevels levels, CapTexts? allClear = null)
    {
        ArgumentNullException.ThrowIfNull(levels);
        _levels = levels;
        _allClear = allClear;
        var count = levels.Count - 1;
        _terms = new (string, string, string)[levels.Count];
        foreach (var l in levels.Configured)
        {
            var i = l.Rank - 1;
            var severity = Severities.Contains(l.Severity) ? l.Severity : "Unknown";
            var response = l.ResponseType is { } r && ResponseTypes.Contains(r) ? r : DefaultResponse(l.Id);
            var urgency = l.Urgency is { } u && Urgencies.Contains(u) ? u
                : i == count - 1 ? "Immediate"
                : i == 0 && count >= 3 ? "Future"
                : "Expected";
            _terms[l.Rank] = (severity, response, urgency);
        }
    }

    /// <summary>Severity of the level reached (Minor once cleared).</summary>
    public string Severity(LevelTransition t) =>
        t.ToLevel.IsNone ? ClearedSeverity
        : Mapped(t) ? _terms[t.ToLevel.Rank].Severity : "Unknown";

    public string ResponseType(LevelTransition t) =>
        t.ToLevel.IsNone ? "AllClear"
        : Mapped(t) ? _terms[t.ToLevel.Rank].Response : DefaultResponse(t.To);

    public string Urgency(LevelTransition t) =>
        t.ToLevel.IsNone ? "Past"
        : Mapped(t) ? _terms[t.ToLevel.Rank].Urgency : "Unknown";

    /// <summary>The configured texts for the level reached (the all-clear's on return to none), or null for English.</summary>
    public CapTexts? Texts(LevelTransition t) =>
        t.ToLevel.IsNone ? _allClear
        : Mapped(t) ? _levels[t.ToLevel.Rank].Cap : null;

    /// <summary>Alert on a first rise from none, Cancel on return to none, Update on any other change.</summary>
    public static string MsgType(LevelTransition t) =>
        t.ToLevel.IsNone ? "Cancel"
        : t.FromLevel.IsNone ? "Alert"
        : "Update";

    /// <summary>
    /// Whether the level reached is the one at its rank here: read by rank, its terms and texts as last reloaded.
    /// A level of another list (which the running station does not produce) reads as an unknown level.
    /// </summary>
    private bool Mapped(LevelTransition t) =>
        t.ToLevel.Rank < _levels.Count && _levels[t.ToLevel.Rank].Id == t.To;

    private static string DefaultResponse(string levelId) => levelId switch
    {
        "evacuate" => "Evacuate",
        "prepare" => "Prepare",
        _ => "Monitor",
    };
}
