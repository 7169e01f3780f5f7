using System.CommandLine;
using System.Globalization;
using EdgeGateway.Configuration;
using EdgeGateway.Fleet;
using Microsoft.Extensions.Logging;

namespace EdgeGateway.Cli;

/// <summary>
/// <c>edgegw sim fleet</c>: N stations in one process through the station's own uplink, for load and failure
/// tests of a broker cluster and the hub receiver. Runs until Ctrl+C or SIGTERM, then exits 0.
/// </summary>
internal static class SimFleetCommand
{
    public static Command Build()
    {
        var stations = new Option<int>("--stations") { Description = "How many stations (ids TEMPLATE-ID-0001 ...)", Required = true };
        var template = new Option<string>("--template")
        {
            Description = "A station.yaml with an uplink.mqtt section; each station gets its sensors, alert levels and broker, "
                + "and its own outbox under storage.path/ID",
            Required = true,
        };
        var telemetry = new Option<string>("--telemetry") { Description = "Telemetry batch period per station", DefaultValueFactory = _ => "1s" };
        var alertEvery = new Option<string>("--alert-every") { Description = "Alert period per station: a rule up a level and back down", DefaultValueFactory = _ => "60s" };
        var json = new Option<bool>("--json") { Description = "JSON Lines: one object per telemetry period" };
        var command = new Command("fleet",
            "Simulate a fleet: N stations in one process, each with its own id, outbox and seq, sending through the\n"
            + "same uplink code as `run` (reconnect, cluster hosts, MQTT 3.1.1 or 5). Prints one line per telemetry\n"
            + "period (stations connected, messages queued and sent). Runs until Ctrl+C or SIGTERM.");
        command.Options.Add(stations);
        command.Options.Add(template);
        command.Options.Add(telemetry);
        command.Options.Add(alertEvery);
        command.Options.Add(json);
        command.SetAction(async (parse, cancellationToken) =>
        {
            var count = parse.GetValue(stations);
            if (count is < 1 or > 9999)
            {
                return await CliUsage.FailAsync(parse, $"sim fleet: --stations {count} is not between 1 and 9999").ConfigureAwait(false);
            }

            if (!TryPeriod(parse.GetValue(telemetry)!, out var period))
            {
                return await CliUsage.FailAsync(parse, $"sim fleet: --telemetry '{parse.GetValue(telemetry)}' is not a duration ({ConfigValueText.DurationHint})").ConfigureAwait(false);
            }

            if (!TryPeriod(parse.GetValue(alertEvery)!, out var alerts))
            {
                return await CliUsage.FailAsync(parse, $"sim fleet: --alert-every '{parse.GetValue(alertEvery)}' is not a duration ({ConfigValueText.DurationHint})").ConfigureAwait(false);
            }

            var error = parse.InvocationConfiguration.Error;
            var loaded = StationConfigLoader.Load(parse.GetValue(template)!);
            foreach (var line in loaded.ErrorLines())
            {
                await error.WriteLineAsync(line).ConfigureAwait(false);
            }

            if (loaded.Config is not { } config)
            {
                return ExitCodes.Usage;
            }

            if (config.Uplink?.Mqtt is null)
            {
                return await CliUsage.FailAsync(parse, "sim fleet: the template has no uplink.mqtt section; the fleet has nowhere to send").ConfigureAwait(false);
            }

            using var stop = new StopSignals(cancellationToken);
            return await RunAsync(config, count, period, alerts, parse.GetValue(json),
                parse.InvocationConfiguration.Output, error, stop.Token).ConfigureAwait(false);
        });
        return command.WithExamples(
            "edgegw sim fleet --stations 3 --template station.yaml",
            "edgegw sim fleet --stations 500 --template station.yaml --telemetry 1s --alert-every 60s --json");
    }

    private static bool TryPeriod(string text, out TimeSpan period) =>
        ConfigValueText.TryParseDuration(text, out period) && period > TimeSpan.Zero;

    private static async Task<int> RunAsync(StationConfig config, int count, TimeSpan period, TimeSpan alertEvery, bool json,
        TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        var time = TimeProvider.System;
        // Warnings only (a dropped connection, a refused login), on stderr, so stdout stays one line per period.
        using var loggers = LoggerFactory.Create(b => b
            .SetMinimumLevel(LogLevel.Warning)
            .AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace));
        using var fleet = new FleetSimulator(config, count, period, time, loggers);
        await fleet.StartAsync(cancellationToken).ConfigureAwait(false);
        var started = time.GetUtcNow();
        var nextAlert = started + alertEvery;
        using var timer = new PeriodicTimer(period, time);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
            {
                fleet.Telemetry();
                var now = time.GetUtcNow();
                if (now >= nextAlert)
                {
                    fleet.Alert();
                    nextAlert += alertEvery;
                }

                await output.WriteLineAsync(Line(fleet.Totals(), now, json)).ConfigureAwait(false);
                await output.FlushAsync(CancellationToken.None).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopped by Ctrl+C or SIGTERM.
        }

        using (var grace = new CancellationTokenSource(TimeSpan.FromSeconds(10), time))
        {
            await fleet.StopAsync(grace.Token).ConfigureAwait(false);
        }

        var totals = fleet.Totals();
        await (json ? error : output).WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
            $"stopped: {totals.Stations} stations, {totals.Sent} messages sent, {totals.Queued} still queued (kept in each outbox), {totals.Alerts} alerts")).ConfigureAwait(false);
        return ExitCodes.Success;
    }

    private static string Line(FleetTotals t, DateTimeOffset now, bool json)
    {
        var stamp = now.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
        return json
            ? string.Create(CultureInfo.InvariantCulture,
                $"{{\"time\":\"{stamp}\",\"stations\":{t.Stations},\"connected\":{t.Connected},\"queued\":{t.Queued},\"sent\":{t.Sent},\"alerts\":{t.Alerts}}}")
            : string.Create(CultureInfo.InvariantCulture,
                $"{stamp} {t.Connected}/{t.Stations} connected, {t.Queued} queued, {t.Sent} sent, {t.Alerts} alerts");
    }
}
