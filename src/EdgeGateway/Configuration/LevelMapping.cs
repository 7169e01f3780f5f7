using EdgeGateway.Core.Alerting;

namespace EdgeGateway.Configuration;

/// <summary>
/// Turns <c>alerting.levels</c> of a valid station.yaml into the station's one <see cref="AlertLevels"/>: ids and
/// ranks for the rule engine and the pipeline, the broadcast cue for the broadcaster, the CAP severity and texts for
/// the uplink. The host builds it once at start and hands the same object to each; a reloaded file builds a new one,
/// whose cues and texts the broadcaster and the uplink take when its ids are those in force.
/// </summary>
public static class LevelMapping
{
    /// <summary><c>alerting.levels</c>, lowest first, with "none" below.</summary>
    public static AlertLevels Levels(StationConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        return new AlertLevels(config.Alerting.Levels.Select(level => new AlertLevel(level.Id)
        {
            Severity = level.Severity.ToString(),
            Cap = Texts(level.Cap),
            Broadcast = Cue(level.Broadcast),
        }));
    }

    /// <summary>CAP texts as the station file gives them (<c>cap:</c> of a level or of the all-clear); null when absent.</summary>
    public static CapTexts? Texts(CapTextsConfig? texts) => texts is null ? null : new CapTexts
    {
        Headline = texts.Headline,
        Description = texts.Description,
        Instruction = texts.Instruction,
    };

    /// <summary>
    /// A broadcast as the station file gives it (a level's or the all-clear's); null when absent. A repeat the file
    /// leaves out keeps the cue's own default.
    /// </summary>
    public static BroadcastCue? Cue(BroadcastRequestConfig? request) => request switch
    {
        null => null,
        { Repeat: { } repeat } => new BroadcastCue(request.Message, repeat),
        _ => new BroadcastCue(request.Message),
    };
}
