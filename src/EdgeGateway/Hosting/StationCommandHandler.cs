using EdgeGateway.Broadcast;
using EdgeGateway.Hosting.Pipeline;
using EdgeGateway.Uplink.Commands;

namespace EdgeGateway.Hosting;

/// <summary>
/// Carries out the hub's verified commands: broadcasts go to the broadcaster as hub requests (they
/// outrank automatic ones), clears to the rule pipeline. A station without speakers refuses broadcasts.
/// A broadcast that cannot be played as asked is refused before anything sounds, with the code of
/// <see cref="BroadcastValidator"/> as the result's error (the words around an exercise are checked too).
/// A clear that came to every station, or of a rule whose sensor is faulty, is refused
/// (<see cref="CommandErrors.ClearNeedsForce"/>) unless forced.
/// Both are resolved when a command arrives, not when the handler is built: the pipeline publishes through
/// the uplink, which owns this handler, so resolving them up front would be a dependency loop.
/// </summary>
public sealed class StationCommandHandler(Func<StationPipeline> pipelineAccessor, Func<BroadcastController?> broadcasterAccessor) : ICommandHandler
{
    /// <summary>Spoken before and after an exercise, so no one takes it for a real warning.</summary>
    public const string ExerciseStart = "以下是应急广播演习。";
    public const string ExerciseEnd = "演习结束。";

    public async Task<CommandOutcome> HandleAsync(StationCommand command, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        switch (command)
        {
            case ClearCommand clear:
                if (clear.Fleetwide && !clear.Force)
                {
                    // One message would clear every station of the district at once, flooding or not.
                    return new CommandOutcome(false, CommandErrors.ClearNeedsForce);
                }

                if (clear.Rule is not null && !pipelineAccessor().Engine.HasRule(clear.Rule))
                {
                    return new CommandOutcome(false, CommandErrors.UnknownRule);
                }

                try
                {
                    await pipelineAccessor().ClearAsync(clear.Rule, $"hub:{clear.Jti}", cancellationToken, clear.Force).ConfigureAwait(false);
                    return CommandOutcome.Success;
                }
                catch (ForceRequiredException)
                {
                    return new CommandOutcome(false, CommandErrors.ClearNeedsForce);
                }
                catch (ArgumentException ex)
                {
                    return new CommandOutcome(false, ex.Message);
                }

            case StatusCommand:
                // The retained status message is refreshed by the uplink; nothing else to do.
                return CommandOutcome.Success;
        }

        var broadcaster = broadcasterAccessor();
        if (broadcaster is null)
        {
            return new CommandOutcome(false, "this station has no broadcast section");
        }

        switch (command)
        {
            case BroadcastCommand b:
                var rank = b.Priority ?? 0;
                var main = b.Message is not null
                    ? BroadcastRequest.ForMessage(b.Message, b.Repeat ?? 1, BroadcastOrigin.Hub)
                    : BroadcastRequest.ForText(b.Text!, b.Voice, b.Repeat ?? 1, BroadcastOrigin.Hub);
                main = main with { Rank = rank };
                if (main.Problem() is { } problem)
                {
                    return new CommandOutcome(false, problem);
                }

                var start = BroadcastRequest.ForText(ExerciseStart, null, 1, BroadcastOrigin.Hub) with { Rank = rank };
                var end = BroadcastRequest.ForText(ExerciseEnd, null, 1, BroadcastOrigin.Hub) with { Rank = rank };
                foreach (var request in b.Exercise ? [start, main, end] : new[] { main })
                {
                    if (await BroadcastValidator.CheckAsync(broadcaster.Messages, request, cancellationToken).ConfigureAwait(false) is { } refusal)
                    {
                        return new CommandOutcome(false, refusal.Code);
                    }
                }

                if (b.Exercise)
                {
                    broadcaster.Enqueue(start);
                }

                var result = broadcaster.Enqueue(main);
                if (b.Exercise)
                {
                    broadcaster.Enqueue(end);
                }

                return result.Accepted ? CommandOutcome.Success : new CommandOutcome(false, result.Reason ?? "not queued");

            case StopCommand:
                broadcaster.Stop();
                return CommandOutcome.Success;

            case TestCommand t:
                if (await BroadcastValidator.CheckAsync(broadcaster.Messages, BroadcastRequest.TestOf(t.Silent), cancellationToken).ConfigureAwait(false) is { } untestable)
                {
                    return new CommandOutcome(false, untestable.Code);
                }

                var test = broadcaster.Test(t.Silent);
                return test.Accepted ? CommandOutcome.Success : new CommandOutcome(false, test.Reason ?? "not queued");

            default:
                return new CommandOutcome(false, $"unsupported command {command.GetType().Name}");
        }
    }
}
