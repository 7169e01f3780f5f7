using System.Globalization;
using System.Text.RegularExpressions;

namespace EdgeGateway.TestSupport.Modbus;

/// <summary>
/// Two pseudo-terminals joined by socat, a null-modem cable in software: what is written to one end is read
/// at the other. Raw mode, no echo. Started with <c>traceTransfers</c>, socat logs every block it passes, so a
/// test can await bytes having crossed instead of sleeping.
/// </summary>
public sealed partial class SocatPtyPair : IAsyncDisposable
{
    private readonly TestProcess _socat;

    private SocatPtyPair(TestProcess socat, string first, string second)
    {
        _socat = socat;
        First = first;
        Second = second;
    }

    public string First { get; }

    public string Second { get; }

    /// <summary>The bytes socat has passed from <see cref="First"/> to <see cref="Second"/> so far (with <c>traceTransfers</c>).</summary>
    public long ForwardedToSecond =>
        _socat.Lines.SelectMany(l => Transfer().Matches(l)).Where(m => m.Groups[1].Value == ">")
            .Select(m => long.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture) + 1).DefaultIfEmpty(0).Max();

    /// <param name="traceTransfers">
    /// socat -v: it logs each block it passes, <c>&gt; 2026/12/02 09:55:23.000329 length=7 from=0 to=6</c> ('&gt;' first
    /// to second, <c>to</c> counting bytes since the start) followed by the bytes themselves. It logs just before
    /// it writes the block on.
    /// </param>
    public static async Task<SocatPtyPair> StartAsync(bool traceTransfers = false)
    {
        var socat = TestProcess.Start("socat", traceTransfers
            ? ["-d", "-d", "-v", "pty,raw,echo=0", "pty,raw,echo=0"]
            : ["-d", "-d", "pty,raw,echo=0", "pty,raw,echo=0"]);
        try
        {
            var timeout = TimeSpan.FromSeconds(20);
            await socat.WaitForLineAsync("starting data transfer loop", timeout);
            var ptys = socat.Lines.Select(l => PtyPath().Match(l)).Where(m => m.Success).Select(m => m.Groups[1].Value).ToList();
            if (ptys.Count != 2)
            {
                throw new InvalidOperationException("socat did not name two ptys: " + socat);
            }

            return new SocatPtyPair(socat, ptys[0], ptys[1]);
        }
        catch
        {
            socat.Dispose();
            throw;
        }
    }

    /// <summary>Completes once socat has passed at least <paramref name="bytes"/> bytes in all from first to second.</summary>
    public Task WaitForwardedToSecondAsync(long bytes, TimeSpan timeout) =>
        Eventually.TrueAsync(() => ForwardedToSecond >= bytes, timeout, () => $"{ForwardedToSecond} of {bytes} bytes forwarded");

    public ValueTask DisposeAsync()
    {
        _socat.Dispose();
        return ValueTask.CompletedTask;
    }

    [GeneratedRegex(@"PTY is (/dev/pts/\d+)")]
    private static partial Regex PtyPath();

    // Not anchored: the bytes of one block run into the header of the next on the same line.
    [GeneratedRegex(@"([<>]) \d{4}/\d\d/\d\d [\d:.]+\s+length=\d+ from=\d+ to=(\d+)")]
    private static partial Regex Transfer();
}
