using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using EdgeGateway.Control;
using EdgeGateway.Core.Readings;

namespace EdgeGateway.Cli;

/// <summary><c>edgegw status [--json] [--watch]</c>: the running service's state, through its control socket.</summary>
public static class StatusCommands
{
    /// <summary>The width a technician's SSH terminal is assumed to have: no line of the text output is longer.</summary>
    public const int Columns = 80;

    private static readonly TimeSpan WatchPeriod = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(15);
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static Command Build()
    {
        var status = new Command(
            "status",
            "Show the running service's state: sensors (value and unit, quality, age, fault), rules (level, measure, " +
            "thresholds, a hold or clearAfter running, latch) and the station level, broadcast and the last self-test, " +
            "uplink and outbox depth, the SL 651 link, configuration hash and any refused reload, version, uptime and health.");
        var target = ServiceTarget.AddTo(status);
        var watch = new Option<bool>("--watch")
        {
            Description = "Redraw every second until Ctrl+C (keeps trying while the service is not running)",
        };
        status.Options.Add(watch);
        status.SetAction((parse, ct) => parse.GetValue(watch)
            ? WatchAsync(parse, target, ct)
            : target.InvokeAsync(parse, "status", null, Describe, ct));
        return status.WithExamples(
            "edgegw status --watch",
            "edgegw status --config /etc/edge-gateway/station.yaml --json");
    }

    /// <summary>
    /// Asks every second and redraws (clears a terminal first; a pipe gets one frame after another, each
    /// ending with an empty line). A service that is down is a frame saying so, and the next second tries
    /// again. Ctrl+C ends it with exit code 0.
    /// </summary>
    private static async Task<int> WatchAsync(ParseResult parse, ServiceTarget target, CancellationToken cancellationToken)
    {
        var (socket, exit) = await target.FindSocketAsync(parse).ConfigureAwait(false);
        if (socket is null)
        {
            return exit;
        }

        var output = parse.InvocationConfiguration.Output;
        var json = parse.GetValue(target.Json);
        var clear = ReferenceEquals(output, Console.Out) && !Console.IsOutputRedirected;
        using var stop = new StopSignals(cancellationToken);
        using var timer = new PeriodicTimer(WatchPeriod);
        try
        {
            do
            {
                string frame;
                try
                {
                    var result = await ControlClient.SendAsync(socket, "status", null, RequestTimeout, stop.Token).ConfigureAwait(false);
                    frame = json ? result?.ToJsonString() ?? "null" : Describe(result);
                }
                catch (Exception e) when (e is ControlUnavailableException or ControlRefusedException)
                {
                    frame = json
                        ? new JsonObject { ["running"] = false, ["error"] = e.Message }.ToJsonString()
                        : Fit($"edge-gateway not running ({e.Message}); trying again every second");
                }

                await output.WriteAsync((clear ? "\u001b[H\u001b[2J" : "") + frame + (json ? "\n" : "\n\n")).ConfigureAwait(false);
                await output.FlushAsync(stop.Token).ConfigureAwait(false);
            }
            while (await timer.WaitForNextTickAsync(stop.Token).ConfigureAwait(false));
        }
        catch (OperationCanceledException) when (stop.Token.IsCancellationRequested)
        {
            // Ctrl+C is how a watch ends.
        }

        return ExitCodes.Success;
    }

    /// <summary>The status text: every line at most <see cref="Columns"/> wide, values with their units.</summary>
    internal static string Describe(JsonNode? s)
    {
        var text = new StringBuilder();
        var health = s?["health"];
        text.AppendLine(Fit($"station {s?["station"]}  edgegw {ShortVersion(s?["version"]?.ToString())}  up {Duration(health?["uptimeSeconds"])}"));
        if (s?["config"] is { } config)
        {
            text.AppendLine(Fit($"config {config["hash"]?.ToString()[..12]}"));
            if (config["restartNeededFor"] is JsonArray waiting)
            {
                text.AppendLine(Fit($"  changed, in force after a restart: {string.Join(", ", waiting.Select(w => w?.ToString()))}"));
            }

            if (config["rejected"] is { } rejected)
            {
                text.AppendLine(Fit($"  last reload REFUSED at {rejected["time"]} (previous configuration in force):"));
                foreach (var e in rejected["errors"]?.AsArray() ?? [])
                {
                    text.AppendLine(Fit($"    {e}"));
                }
            }
        }

        if (s?["stationLevel"] is { } level)
        {
            var units = (s["sensors"]?.AsArray() ?? []).Where(x => x?["unit"] is not null)
                .ToDictionary(x => x!["id"]!.ToString(), x => x!["unit"]!.ToString(), StringComparer.Ordinal);
            text.AppendLine(Fit($"station level {level}"));
            foreach (var r in s["rules"]?.AsArray() ?? [])
            {
                Rule(text, r!, units.GetValueOrDefault(r!["sensor"]?.ToString() ?? ""));
            }

            foreach (var x in s["sensors"]?.AsArray() ?? [])
            {
                Sensor(text, x!);
            }
        }

        if (s?["broadcast"] is { } b)
        {
            Broadcast(text, b);
        }

        if (s?["uplink"] is { } u)
        {
            text.AppendLine(Fit($"uplink {u["state"]}, outbox {u["queueDepth"]} messages{(u["lastError"] is { } err ? ", last error: " + err : "")}"));
            if (u["commandKeyProblem"] is { } keyProblem)
            {
                text.AppendLine(Fit($"command key fault: {keyProblem} (every hub command is refused)"));
            }
        }

        if (s?["sl651"] is { } sl)
        {
            text.AppendLine(Fit($"sl651 {sl["state"]}{(sl["centre"] is { } centre ? " to " + centre : "")}, {sl["owed"]} report(s) owed, last confirmed {sl["lastConfirmed"]?.ToString() ?? "never"}{(sl["lastError"] is { } slErr ? ", last error: " + slErr : "")}"));
        }

        foreach (var l in (s?["loops"]?.AsArray() ?? []).Where(l => l?["stalled"]?.GetValue<bool>() == true))
        {
            text.AppendLine(Fit($"loop {l!["name"]} STALLED for {l["silenceSeconds"]} s"));
        }

        if (health?["storageFault"] is { } storageFault)
        {
            text.AppendLine(Fit($"STORAGE FAULT {storageFault} (the station goes on; unsaved data waits in memory)"));
        }

        if (health is JsonObject h)
        {
            text.AppendLine(Fit("health " + Health(h)));
        }

        return text.ToString().TrimEnd();
    }

    // "  river          none      4.1 m        prepare 3 m, evacuate 5 m", then what is pending or held.
    private static void Rule(StringBuilder text, JsonNode r, string? unit)
    {
        var digital = r["when"]?.ToString();
        var measure = r["measure"] is { } m
            ? digital is null ? WithUnit(m.GetValue<double>(), unit) : m.GetValue<double>() >= 0.5 ? "active" : "inactive"
            : "-";
        var thresholds = digital is not null
            ? "when " + digital
            : string.Join(", ", (r["thresholds"] as JsonObject ?? []).Select(t => $"{t.Key} {WithUnit(t.Value!.GetValue<double>(), unit)}"));
        var line = $"  rule   {r["id"],-14} {r["level"],-9} {measure,-11} {thresholds}";
        if (line.Length <= Columns)
        {
            text.AppendLine(line);
        }
        else
        {
            // Three levels with units do not fit beside the rule: they get a line of their own.
            text.AppendLine(Fit($"  rule   {r["id"],-14} {r["level"],-9} {measure}"));
            text.AppendLine(Fit($"       thresholds: {thresholds}"));
        }

        if (r["sensorFaulty"]?.GetValue<bool>() == true)
        {
            text.AppendLine(Fit("       SENSOR FAULT: level held until the sensor is good again"));
        }

        if (r["rising"] is { } rising)
        {
            text.AppendLine(Fit($"       rising to {rising["to"]} in {Countdown(rising["remainingSeconds"])} (hold running)"));
        }

        if (r["falling"] is { } falling)
        {
            text.AppendLine(Fit($"       falling to {falling["to"]} in {Countdown(falling["remainingSeconds"])} (clearAfter running)"));
        }

        if (r["latched"]?.GetValue<bool>() == true)
        {
            text.AppendLine(Fit($"       LATCHED: stays until 'edgegw alert clear {r["id"]}'"));
        }
    }

    // "  sensor river-level   2.9 m          good          1 s ago", and the fault in words below.
    private static void Sensor(StringBuilder text, JsonNode x)
    {
        var unit = x["unit"]?.ToString();
        var value = x["value"] is { } v ? WithUnit(v.GetValue<double>(), unit) : "-";
        var age = x["ageSeconds"] is { } a ? $"{Math.Round(a.GetValue<double>()).ToString(Inv)} s ago" : "no reading yet";
        if (x["tips"] is { } tips)
        {
            var count = tips.GetValue<long>();
            age = count == 0 ? "no tips yet" : $"{count.ToString(Inv)} tips, last {age}";
        }

        text.AppendLine(Fit($"  sensor {x["id"],-14} {value,-11} {x["quality"] ?? "-",-12} {age}"));
        if (x["fault"] is { } fault)
        {
            text.AppendLine(Fit($"       fault: {fault}"));
        }
    }

    private static void Broadcast(StringBuilder text, JsonNode b)
    {
        var phase = b["phase"]?.ToString() ?? "?";
        var now = b["current"] is { } current
            ? (phase is "playing" ? $"playing {current}" : $"{current} ({phase})")
            : phase;
        text.AppendLine(Fit($"broadcast {now}, {b["queued"]} queued, sink {b["sink"]}"));
        foreach (var p in b["problems"]?.AsArray() ?? [])
        {
            text.AppendLine(Fit($"  problem: {p}"));
        }

        if (b["lastSelfTest"] is { } test)
        {
            var kind = test["silent"]?.GetValue<bool>() == true ? "silent self-test" : "audible test";
            text.AppendLine(Fit($"  last self-test {test["time"]} {test["outcome"]} ({kind})"));
            foreach (var p in test["problems"]?.AsArray() ?? [])
            {
                text.AppendLine(Fit($"    {p}"));
            }
        }
        else
        {
            text.AppendLine("  last self-test: none since start");
        }
    }

    // The figures a technician acts on, in words and readable units; the raw form is in --json.
    private static string Health(JsonObject h)
    {
        var parts = new List<string>();
        if (h["diskFreeBytes"] is { } free && h["diskTotalBytes"] is { } total)
        {
            parts.Add($"disk {Bytes(free.GetValue<long>())} free of {Bytes(total.GetValue<long>())}");
        }

        if (h["memAvailableBytes"] is { } mem)
        {
            parts.Add($"memory {Bytes(mem.GetValue<long>())} free");
        }

        if (h["cpuTemperatureC"] is { } temperature)
        {
            parts.Add($"CPU {ValueText.Format(temperature.GetValue<double>())} °C");
        }

        if (h["batteryVolts"] is { } volts)
        {
            parts.Add($"battery {ValueText.Format(volts.GetValue<double>())} V");
        }

        if (h["underVoltage"]?.GetValue<bool>() == true)
        {
            parts.Add("UNDER-VOLTAGE");
        }

        if (h["throttled"]?.GetValue<bool>() == true)
        {
            parts.Add("THROTTLED");
        }

        if (h["clockSynchronized"] is { } sync)
        {
            parts.Add(sync.GetValue<bool>() ? "clock synced" : "clock NOT synced");
        }

        return string.Join(", ", parts);
    }

    // "12 s" while seconds count; "29 min 5 s" for a clearAfter of half an hour.
    private static string Countdown(JsonNode? seconds)
    {
        var s = seconds?.GetValue<long>() ?? 0;
        return s < 120 ? $"{s.ToString(Inv)} s" : $"{(s / 60).ToString(Inv)} min {(s % 60).ToString(Inv)} s";
    }

    private static string WithUnit(double value, string? unit) =>
        unit is null or "" ? ValueText.Format(value) : $"{ValueText.Format(value)} {unit}";

    private static string Bytes(long bytes) => bytes switch
    {
        >= 1L << 30 => $"{(bytes / (double)(1L << 30)).ToString("0.#", Inv)} GiB",
        >= 1L << 20 => $"{(bytes / (double)(1L << 20)).ToString("0.#", Inv)} MiB",
        _ => $"{(bytes / 1024.0).ToString("0.#", Inv)} KiB",
    };

    // The build's commit is there to tell builds apart; its first 7 hex digits do that.
    private static string ShortVersion(string? version)
    {
        if (version is null)
        {
            return "?";
        }

        var plus = version.IndexOf('+', StringComparison.Ordinal);
        return plus >= 0 && version.Length > plus + 8 ? version[..(plus + 8)] : version;
    }

    /// <summary>
    /// Folds a line longer than <see cref="Columns"/> at its last space before the edge (a long path or
    /// error text goes on, indented, on the next line); a word that alone is too long is cut.
    /// </summary>
    private static string Fit(string line)
    {
        line = line.TrimEnd();
        if (line.Length <= Columns)
        {
            return line;
        }

        var indent = new string(' ', Math.Min(line.Length - line.TrimStart().Length + 4, 12));
        var lines = new List<string>();
        var rest = line;
        while (rest.Length > Columns)
        {
            var cut = rest.LastIndexOf(' ', Columns);
            if (cut <= indent.Length)
            {
                cut = Columns;
            }

            lines.Add(rest[..cut].TrimEnd());
            rest = indent + rest[cut..].TrimStart();
        }

        lines.Add(rest);
        return string.Join(Environment.NewLine, lines);
    }

    private static string Duration(JsonNode? seconds)
    {
        if (seconds is null)
        {
            return "?";
        }

        var t = TimeSpan.FromSeconds(seconds.GetValue<long>());
        return t.TotalDays >= 1
            ? $"{(int)t.TotalDays}d {t:hh\\:mm\\:ss}"
            : t.ToString("hh\\:mm\\:ss", Inv);
    }
}
