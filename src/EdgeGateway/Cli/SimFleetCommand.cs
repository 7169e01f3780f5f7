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
        var alertPhase = new Option<string>("--alert-phase")
        {
            Description = "spread: each station raises its alerts at its own phase of --alert-every (station k of N, from 0, at k/N of it; the first round after one period), "
                + "as independent stations do; together: every station at the same instant (a fleet-wide burst)",
            DefaultValueFactory = _ => "spread",
        };
        alertPhase.AcceptOnlyFromAmong("spread", "together");
        var json = new Option<bool>("--json") { Description = "JSON Lines: one object per telemetry period" };
        var duration = new Option<string?>("--duration")
        {
            Description = "Stop creating messages after this long, wait until every outbox is empty (at most --drain-timeout), then exit",
        };
        var drainTimeout = new Option<string>("--drain-timeout") { Description = "With --duration: the longest wait for the outboxes to empty", DefaultValueFactory = _ => "5m" };
        var summary = new Option<string?>("--summary") { Description = "On exit, write what every station created (last seq, still queued, each alert) to this JSON file" };
        var command = new Command("fleet",
            "Simulate a fleet: N stations in one process, each with its own id, outbox and seq, sending through the\n"
            + "same uplink code as `run` (reconnect, cluster hosts, MQTT 3.1.1 or 5). Prints one line per telemetry\n"
            + "period (stations connected, messages queued and sent). Runs until Ctrl+C or SIGTERM.");
        command.Options.Add(stations);
        command.Options.Add(template);
        command.Options.Add(telemetry);
        command.Options.Add(alertEvery);
        command.Options.Add(alertPhase);
        command.Options.Add(json);
        command.Options.Add(duration);
        command.Options.Add(drainTimeout);
        command.Options.Add(summary);
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

            var run = new FleetRun(count, period, alerts, parse.GetValue(alertPhase) == "spread", parse.GetValue(json), parse.GetValue(summary));
            if (parse.GetValue(duration) is { } d)
            {
                if (!TryPeriod(d, out var length))
                {
                    return await CliUsage.FailAsync(parse, $"sim fleet: --duration '{d}' is not a duration ({ConfigValueText.DurationHint})").ConfigureAwait(false);
                }

                if (!TryPeriod(parse.GetValue(drainTimeout)!, out var drain))
                {
                    return await CliUsage.FailAsync(parse, $"sim fleet: --drain-timeout '{parse.GetValue(drainTimeout)}' is not a duration ({ConfigValueText.DurationHint})").ConfigureAwait(false);
                }

                run = run with { Duration = length, DrainTimeout = drain };
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
            return await RunAsync(config, run, parse.InvocationConfiguration.Output, error, stop.Token).ConfigureAwait(false);
        });
        return command.WithExamples(
            "edgegw sim fleet --stations 500 --template station.yaml --telemetry 1s --alert-every 60s --json",
            "edgegw sim fleet --stations 50 --template station.yaml --duration 2m --summary fleet-summary.json");
    }

    private static bool TryPeriod(string text, out TimeSpan period) =>
        ConfigValueText.TryParseDuration(text, out period) && period > TimeSpan.Zero;

    private static async Task<int> RunAsync(StationConfig config, FleetRun run, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        var time = TimeProvider.System;
        // Warnings only (a dropped connection, a refused login), on stderr, so stdout stays one line per period.
        using var loggers = LoggerFactory.Create(b => b
            .SetMinimumLevel(LogLevel.Warning)
            .AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace));
        using var fleet = new FleetSimulator(config, run.Stations, run.Period, time, loggers);
        await fleet.StartAsync(cancellationToken).ConfigureAwait(false);
        var started = time.GetUtcNow();
        var alerts = new AlertSchedule(run.Stations, started, run.AlertEvery, run.SpreadAlerts);
        var drained = true;
        using var timer = new PeriodicTimer(run.Period, time);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
            {
                var now = time.GetUtcNow();
                if (run.Duration is { } length && now - started >= length)
                {
                    drained = await DrainAsync(fleet, run, timer, time, output, cancellationToken).ConfigureAwait(false);
                    break;
                }

                fleet.Telemetry();
                fleet.Alert(alerts.Due(now));

                await WriteLineAsync(output, Line(fleet.Totals(), now, run.Json)).ConfigureAwait(false);
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
        if (run.SummaryPath is { } path)
        {
            await File.WriteAllBytesAsync(path, SummaryJson(fleet, totals, started, time.GetUtcNow()), CancellationToken.None).ConfigureAwait(false);
        }

        await (run.Json ? error : output).WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
            $"stopped: {totals.Stations} stations, {totals.Sent} messages sent, {totals.Queued} still queued (kept in each outbox), {totals.Alerts} alerts")).ConfigureAwait(false);
        if (!drained)
        {
            await error.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"sim fleet: the outboxes did not empty within {run.DrainTimeout.TotalSeconds:0} s")).ConfigureAwait(false);
        }

        return drained ? ExitCodes.Success : ExitCodes.Failure;
    }

    // Creating has stopped: the stations go on sending until every outbox is empty. The readings of the last
    // period are cut into a message only at the station's next telemetry tick, so the first two periods are
    // not taken as empty.
    private static async Task<bool> DrainAsync(FleetSimulator fleet, FleetRun run, PeriodicTimer timer, TimeProvider time,
        TextWriter output, CancellationToken cancellationToken)
    {
        var from = time.GetUtcNow();
        var ticks = 0;
        while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
        {
            var totals = fleet.Totals();
            var now = time.GetUtcNow();
            await WriteLineAsync(output, Line(totals, now, run.Json)).ConfigureAwait(false);
            if (++ticks > 2 && totals.Queued == 0)
            {
                return true;
            }

            if (now - from >= run.DrainTimeout)
            {
                return false;
            }
        }

        return false;
    }

    private static async Task WriteLineAsync(TextWriter output, string line)
    {
        await output.WriteLineAsync(line).ConfigureAwait(false);
        await output.FlushAsync(CancellationToken.None).ConfigureAwait(false);
    }

    private static byte[] SummaryJson(FleetSimulator fleet, FleetTotals totals, DateTimeOffset started, DateTimeOffset stopped)
    {
        using var buffer = new MemoryStream();
        using (var w = new System.Text.Json.Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("started", Stamp(started));
            w.WriteString("stopped", Stamp(stopped));
            w.WriteNumber("stations", totals.Stations);
            w.WriteNumber("sent", totals.Sent);
            w.WriteNumber("queued", totals.Queued);
            w.WriteNumber("alerts", totals.Alerts);
            w.WriteStartArray("perStation");
            foreach (var s in fleet.Summary())
            {
                w.WriteStartObject();
                w.WriteString("id", s.Id);
                w.WriteNumber("lastSeq", s.LastSeq);
                w.WriteNumber("queued", s.Queued);
                w.WriteStartArray("alerts");
                foreach (var a in s.Alerts)
                {
                    w.WriteStartObject();
                    w.WriteString("time", Stamp(a.Time));
                    w.WriteString("from", a.From);
                    w.WriteString("to", a.To);
                    if (a.Seq is { } seq)
                    {
                        w.WriteNumber("seq", seq);
                    }

                    if (a.Stored is { } stored)
                    {
                        w.WriteString("stored", Stamp(stored));
                    }

                    if (a.Sent is { } sent)
                    {
                        w.WriteString("sent", Stamp(sent));
                    }

                    if (a.Acked is { } acked)
                    {
                        w.WriteString("acked", Stamp(acked));
                    }

                    w.WriteEndObject();
                }

                w.WriteEndArray();
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteEndObject();
        }

        return buffer.ToArray();
    }

    // As the payloads write it (milliseconds), so an alert in the summary matches its row's time exactly.
    private static string Stamp(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    private static string Line(FleetTotals t, DateTimeOffset now, bool json)
    {
        var stamp = now.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
        return json
            ? string.Create(CultureInfo.InvariantCulture,
                $"{{\"time\":\"{stamp}\",\"stations\":{t.Stations},\"connected\":{t.Connected},\"queued\":{t.Queued},\"sent\":{t.Sent},\"alerts\":{t.Alerts}}}")
            : string.Create(CultureInfo.InvariantCulture,
                $"{stamp} {t.Connected}/{t.Stations} connected, {t.Queued} queued, {t.Sent} sent, {t.Alerts} alerts");
    }

    private sealed record FleetRun(int Stations, TimeSpan Period, TimeSpan AlertEvery, bool SpreadAlerts, bool Json, string? SummaryPath)
    {
        /// <summary>How long messages are created; null: until Ctrl+C or SIGTERM.</summary>
        public TimeSpan? Duration { get; init; }

        public TimeSpan DrainTimeout { get; init; } = TimeSpan.FromMinutes(5);
    }
}
