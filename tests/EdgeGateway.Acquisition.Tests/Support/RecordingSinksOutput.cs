using EdgeGateway.Acquisition.Internal;

namespace EdgeGateway.Acquisition.Tests;

internal static class RecordingSinksOutput
{
    /// <summary>The acquisition's output into <paramref name="sinks"/> (readings and events), with an optional history.</summary>
    public static ReadingOutput Output(this RecordingSinks sinks, IReadingRecorder? history = null) => new(sinks, sinks, history);
}
