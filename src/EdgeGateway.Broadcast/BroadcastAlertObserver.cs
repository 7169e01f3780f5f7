using EdgeGateway.Broadcast.Internal;
using EdgeGateway.Core.Alerting;
using Microsoft.Extensions.Logging;

namespace EdgeGateway.Broadcast;

/// <summary>Station level changes from the rule loop to the broadcaster (returns at once: the controller queues).</summary>
public sealed class BroadcastAlertObserver(BroadcastController controller, ILogger<BroadcastAlertObserver> logger) : IAlertObserver
{
    public void OnTransitions(IReadOnlyList<LevelTransition> transitions)
    {
        ArgumentNullException.ThrowIfNull(transitions);
        foreach (var t in transitions)
        {
            if (t.Scope != TransitionScope.Station)
            {
                continue;
            }

            try
            {
                controller.OnStationLevelChanged(t.FromLevel, t.ToLevel, allClear: !t.Forced);
            }
            catch (ArgumentException ex)
            {
                Log.BroadcastTransitionRefused(logger, ex, t.From, t.To);
            }
        }
    }
}
