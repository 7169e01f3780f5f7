namespace EdgeGateway.Core.Alerting;

/// <summary>
/// Told of every level transition the station's rules produce, in order, rule transitions before the
/// station transition they cause. The broadcaster and the uplink are observers. Called on the rule loop:
/// implementations return at once (queue internally) and never throw.
/// </summary>
public interface IAlertObserver
{
    void OnTransitions(IReadOnlyList<LevelTransition> transitions);
}
