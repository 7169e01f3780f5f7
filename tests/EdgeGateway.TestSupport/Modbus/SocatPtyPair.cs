using System.Text.RegularExpressions;

namespace EdgeGateway.Modbus.Tests.Peers;

/// <summary>
/// Two pseudo-terminals joined by socat, a null-modem cable in software: what is written to one end is read
/// at the other. Raw mode, no echo.
/// </summary>
internal sealed partial class SocatPtyPair : IAsyncDisposable
{
    private readonly ExternalProcess _socat;

    private SocatPtyPair(ExternalProcess socat, string first, string second)
    {
        _socat = socat;
        First = first;
        Second = second;
    }

    public string First { get; }

    public string Second { get; }

    public static async Task<SocatPtyPair> StartAsync()
    {
        var socat = ExternalProcess.Start("socat", "-d", "-d", "pty,raw,echo=0", "pty,raw,echo=0");
        try
        {
            var timeout = TimeSpan.FromSeconds(20);
            var first = PtyPath().Match(await socat.WaitForStderrAsync(l => PtyPath().IsMatch(l), timeout)).Groups[1].Value;
            var second = PtyPath().Match(await socat.WaitForStderrAsync(l => PtyPath().IsMatch(l), timeout)).Groups[1].Value;
            await socat.WaitForStderrAsync(l => l.Contains("starting data transfer loop", StringComparison.Ordinal), timeout);
            return new SocatPtyPair(socat, first, second);
        }
        catch
        {
            await socat.DisposeAsync();
            throw;
        }
    }

    public ValueTask DisposeAsync() => _socat.DisposeAsync();

    [GeneratedRegex(@"PTY is (/dev/pts/\d+)")]
    private static partial Regex PtyPath();
}
