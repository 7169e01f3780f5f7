namespace EdgeGateway.TestSupport;

/// <summary>
/// Awaits a condition that has no event of its own to wait on (a row in PostgreSQL, a file on disk, a status
/// answer) by asking again until it holds or the time is up; never a fixed sleep in place of the condition.
/// </summary>
public static class Eventually
{
    /// <summary>How long to let the system work between two checks.</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(20);

    /// <param name="state">Says what was seen instead, in the <see cref="TimeoutException"/>.</param>
    public static Task TrueAsync(Func<bool> condition, TimeSpan timeout, Func<string> state) =>
        TrueAsync(() => Task.FromResult(condition()), timeout, () => Task.FromResult(state()), Interval);

    public static Task TrueAsync(Func<bool> condition, TimeSpan timeout, string what) =>
        TrueAsync(condition, timeout, () => what + " did not happen");

    public static Task TrueAsync(Func<Task<bool>> condition, TimeSpan timeout, string what) =>
        TrueAsync(condition, timeout, () => Task.FromResult(what + " did not happen"), Interval);

    public static async Task TrueAsync(Func<Task<bool>> condition, TimeSpan timeout, Func<Task<string>> state, TimeSpan interval)
    {
        using var deadline = new CancellationTokenSource(timeout);
        while (!await condition())
        {
            if (deadline.IsCancellationRequested)
            {
                throw new TimeoutException($"not within {timeout}: {await state()}");
            }

            try
            {
                await Task.Delay(interval, deadline.Token);
            }
            catch (OperationCanceledException)
            {
                // One last look below, then the verdict.
            }
        }
    }
}
