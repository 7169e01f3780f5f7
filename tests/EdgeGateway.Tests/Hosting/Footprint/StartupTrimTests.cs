using EdgeGateway.Hosting.Footprint;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace EdgeGateway.Tests.Hosting.Footprint;

public sealed class StartupTrimTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task ExecuteAsync_BeforeTheDelay_LeavesEverythingThenTrimsOnce()
    {
        var time = new FakeTimeProvider();
        using var trim = new StartupTrim(time, NullLogger<StartupTrim>.Instance);
        await trim.StartAsync(CancellationToken.None);

        time.Advance(StartupTrim.Delay - TimeSpan.FromSeconds(1));
        Assert.False(trim.Trimmed.IsCompleted);

        time.Advance(TimeSpan.FromSeconds(1));
        var pagedOut = await trim.Trimmed.WaitAsync(Patience);

        // The test host's executable (dotnet) has read-only mappings: each was advised.
        Assert.True(pagedOut > 0, $"paged out {pagedOut} bytes");
        await trim.StopAsync(CancellationToken.None);
    }

    [Fact]
    public void PageOutExecutable_OnThisKernel_AdvisesEveryReadOnlyMappingOfTheExecutable()
    {
        var exe = new FileInfo("/proc/self/exe").LinkTarget!;
        var readOnly = File.ReadLines("/proc/self/maps")
            .Select(l => l.Split(' ', 6, StringSplitOptions.RemoveEmptyEntries))
            .Where(f => f.Length == 6 && f[5].Trim() == exe && !f[1].Contains('w', StringComparison.Ordinal))
            .Sum(f => Convert.ToInt64(f[0].Split('-')[1], 16) - Convert.ToInt64(f[0].Split('-')[0], 16));

        var advised = StartupTrim.PageOutExecutable(out var failure);

        Assert.Null(failure);
        Assert.Equal(readOnly, advised);
    }

    [Fact]
    public async Task StopAsync_BeforeTheDelay_StopsWithoutTrimming()
    {
        var time = new FakeTimeProvider();
        using var trim = new StartupTrim(time, NullLogger<StartupTrim>.Instance);
        await trim.StartAsync(CancellationToken.None);

        await trim.StopAsync(CancellationToken.None).WaitAsync(Patience);

        Assert.False(trim.Trimmed.IsCompleted);
    }
}
