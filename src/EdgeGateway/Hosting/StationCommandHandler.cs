using EdgeGateway.Hardware.Broadcast;
using EdgeGateway.Hosting.Pipeline;
using EdgeGateway.Uplink.Commands;

namespace EdgeGateway.Hosting;

/// <summary>
/// Carries out the hub's verified commands: broadcasts go to the broadcaster as hub requests (they
/// outrank automatic ones), clears to the rule pipeline. A station without speakers refuses broadcasts.
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
                try
                {
                    await pipelineAccessor().ClearAsync(clear.Rule, $"hub:{clear.Jti}", cancellationToken).ConfigureAwait(false);
                    return CommandOutcome.Success;
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

                if (b.Exercise)
                {
                    broadcaster.Enqueue(BroadcastRequest.ForText(ExerciseStart, null, 1, BroadcastOrigin.Hub) with { Rank = rank });
                }

                var result = broadcaster.Enqueue(main);
                if (b.Exercise)
                {
                    broadcaster.Enqueue(BroadcastRequest.ForText(ExerciseEnd, null, 1, BroadcastOrigin.Hub) with { Rank = rank });
                }

                return result.Accepted ? CommandOutcome.Success : new CommandOutcome(false, result.Reason ?? "not queued");

            case StopCommand:
                broadcaster.Stop();
                return CommandOutcome.Success;

            case TestCommand t:
                var test = broadcaster.Test(t.Silent);
                return test.Accepted ? CommandOutcome.Success : new CommandOutcome(false, test.Reason ?? "not queued");

            default:
                return new CommandOutcome(false, $"unsupported command {command.GetType().Name}");
        }
    }
}
