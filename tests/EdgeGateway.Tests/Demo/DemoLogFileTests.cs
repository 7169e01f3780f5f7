using EdgeGateway.Demo;
using EdgeGateway.Hosting.Logging;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace EdgeGateway.Tests.Demo;

public sealed class DemoLogFileTests
{
    [Fact]
    public void Log_UnderTheLiveView_WritesTheConsolesLineToTheFileAndNothingElse()
    {
        using var dir = new TempDirectory();
        var path = dir.File("station.log");
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 7, 1, 3, 0, 0, 250, TimeSpan.Zero));
        using var formatter = new StationConsoleFormatter(new FixedOptions(new StationConsoleFormatterOptions { UseUtcTimestamp = true, TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ " }), clock);
        using (var file = new DemoLogFile(path, formatter))
        {
            var logger = file.CreateLogger("EdgeGateway.Hosting.Pipeline.StationPipeline");
#pragma warning disable CA1848 // a plain call is the point: any message reaches the file
            logger.LogWarning(new EventId(700), "Rule {Rule}: {From} -> {To}", "river", "none", "prepare");
#pragma warning restore CA1848

            // Flushed per line: readable (tail -f) while the demo still runs.
            using var reader = new StreamReader(new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite));
            Assert.Equal("2026-07-01T03:00:00.250Z warn: StationPipeline[700] Rule river: none -> prepare", reader.ReadLine());
        }

        Assert.Single(File.ReadAllLines(path));
    }

    private sealed class FixedOptions(StationConsoleFormatterOptions value) : IOptionsMonitor<StationConsoleFormatterOptions>
    {
        public StationConsoleFormatterOptions CurrentValue => value;

        public StationConsoleFormatterOptions Get(string? name) => value;

        public IDisposable? OnChange(Action<StationConsoleFormatterOptions, string?> listener) => null;
    }
}
