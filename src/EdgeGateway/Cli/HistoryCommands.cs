using System.CommandLine;
using System.Globalization;
using EdgeGateway.Acquisition.History;
using EdgeGateway.Configuration;
using EdgeGateway.Configuration.Internal;
using EdgeGateway.Hosting;
using Microsoft.Data.Sqlite;

namespace EdgeGateway.Cli;

/// <summary>
/// <c>edgegw history export [--since 24h] [--sensor ID] --config FILE</c>: the station's readings history as
/// replay's CSV, so what happened can be replayed against the current and a proposed configuration.
/// </summary>
public static class HistoryCommands
{
    public static Command Build()
    {
        var history = new Command("history", "The station's readings history (storage.path/history.db)");
        var export = new Command(
            "export",
            "Print the readings history as replay's CSV (time,sensor,value): rain-pulse values are the mm of each tip, " +
            "rain-total values the counter in engineering units, a reading with no valid answer has an empty value. " +
            "Works while the service runs; the last few seconds of readings (up to one history flush, 30 s) may not be written yet.");
        var config = CommonOptions.Config();
        var since = new Option<string>("--since") { Description = "How far back (30m, 24h, 7d; default 24h)", HelpName = "DURATION" };
        var sensor = new Option<string>("--sensor") { Description = "Only this sensor", HelpName = "ID" };
        export.Options.Add(config);
        export.Options.Add(since);
        export.Options.Add(sensor);
        export.SetAction(parse => Export(parse, parse.GetValue(config) ?? StationConfigLoader.DefaultPath, parse.GetValue(since), parse.GetValue(sensor)));
        history.Subcommands.Add(export.WithExamples(
            "edgegw history export --since 7d > readings.csv",
            "edgegw history export --sensor river --config station.yaml"));
        return history.WithExamples("edgegw history export --since 48h > storm.csv");
    }

    private static int Export(ParseResult parse, string configPath, string? sinceText, string? sensorId)
    {
        var output = parse.InvocationConfiguration.Output;
        var error = parse.InvocationConfiguration.Error;
        var window = TimeSpan.FromHours(24);
        if (sinceText is not null && (!ConfigValueText.TryParseDuration(sinceText, out window) || window <= TimeSpan.Zero))
        {
            error.WriteLine($"edgegw: --since '{sinceText}' is not a duration (30m, 24h, 7d)");
            return CliUsage.Fail(parse);
        }

        var loaded = StationConfigLoader.Load(configPath);
        foreach (var line in loaded.ErrorLines())
        {
            error.WriteLine(line);
        }

        if (loaded.Config is not { } station)
        {
            return ExitCodes.Usage;
        }

        var sensors = station.Sensors.ToDictionary(s => s.Id, StringComparer.Ordinal);
        if (sensorId is not null && !sensors.ContainsKey(sensorId))
        {
            error.WriteLine($"edgegw: no sensor '{sensorId}'{Suggest.DidYouMean(sensorId, sensors.Keys)} The station's sensors: {string.Join(", ", sensors.Keys)}");
            return CliUsage.Fail(parse);
        }

        var path = Path.Combine(station.Storage.Path, AcquisitionMapping.HistoryFileName);
        try
        {
            output.WriteLine("time,sensor,value");
            foreach (var r in HistoryExport.Read(path, TimeProvider.System.GetUtcNow() - window, sensorId))
            {
                // A sensor no longer configured keeps its readings; exported as they are, replay names it.
                var value = sensors.TryGetValue(r.Sensor, out var s) && s.Kind == SensorKind.RainTotal
                    ? r.Raw is { } raw && r.Value is not null ? (raw * s.Scale) + s.Offset : (double?)null
                    : r.Value;
                output.Write(r.Time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture));
                output.Write(',');
                output.Write(r.Sensor);
                output.Write(',');
                // Every digit: what is exported must replay exactly as it was judged.
                output.WriteLine(value is { } v ? v.ToString("R", CultureInfo.InvariantCulture) : "");
            }
        }
        catch (Exception e) when (e is SqliteException or IOException or UnauthorizedAccessException)
        {
            error.WriteLine($"edgegw: cannot read the readings history {path}: {e.Message}");
            return ExitCodes.Failure;
        }

        return ExitCodes.Success;
    }
}
