using System.Globalization;
using System.Text;

namespace EdgeGateway.Demo;

/// <summary>
/// Draws the demo's live view and closing summary as text. Pure functions of a snapshot: the caller
/// decides how to put a frame on the screen (ANSI redraw on a terminal, one plain line per period
/// when the output is redirected).
/// </summary>
public static class DemoRenderer
{
    private const string Ticks = "▁▂▃▄▅▆▇█";
    private const string Reset = "\u001b[0m";
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <summary>A full frame, at most <paramref name="width"/> columns wide; ANSI colours when <paramref name="color"/>.</summary>
    public static string Frame(DemoSnapshot snapshot, int width = 100, bool color = false)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        width = Math.Max(60, width);
        var lines = new List<string>();
        var progress = snapshot.StormDuration > TimeSpan.Zero ? snapshot.StormElapsed / snapshot.StormDuration : 0;
        lines.Add(string.Create(Inv,
            $" EdgeGateway demo · station {snapshot.StationId} · typhoon at {snapshot.Speed:0.#}x · {snapshot.SimulatedNow:yyyy-MM-dd HH:mm} UTC"));
        lines.Add(string.Create(Inv,
            $" storm {Clock(snapshot.StormElapsed)} / {Clock(snapshot.StormDuration)}  {Bar(progress, 1, 30)}"));
        lines.Add(" " + new string('─', width - 2));
        lines.Add($" STATION LEVEL  {Level(snapshot.StationLevel.ToUpperInvariant(), snapshot.StationLevel, color)}");
        lines.Add("");
        lines.Add(" readings");
        var idWidth = Math.Max(12, snapshot.Sensors.Select(s => s.Id.Length).DefaultIfEmpty(0).Max() + 1);
        foreach (var sensor in snapshot.Sensors)
        {
            var value = double.IsNaN(sensor.Value) ? "—" : sensor.Value.ToString("0.00", Inv);
            var line = string.Create(Inv,
                $"  {sensor.Id.PadRight(idWidth)} {value,10} {sensor.Unit,-3} {sensor.Quality,-12} {Sparkline(sensor.History, 24)}");
            if (sensor.Detail is not null)
            {
                line += "  " + sensor.Detail;
            }

            if (sensor.Thresholds is { Count: > 0 } thresholds)
            {
                line += "  " + string.Join(" ", thresholds.Select(t => string.Create(Inv, $"{t.Level} {t.Threshold:0.##}")));
            }

            lines.Add(line);
        }

        lines.Add("");
        lines.Add(" rules");
        var ruleWidth = Math.Max(12, snapshot.Rules.Select(r => r.Id.Length).DefaultIfEmpty(0).Max() + 1);
        foreach (var rule in snapshot.Rules)
        {
            var measure = double.IsNaN(rule.Measure) ? "" : rule.Measure.ToString("0.0#", Inv).PadLeft(7);
            var bar = rule.NextThreshold is { } next && !double.IsNaN(rule.Measure) && next > 0
                ? " " + Bar(rule.Measure / next, 1, 20) + string.Create(Inv, $" of {next:0.##}")
                : "";
            lines.Add($"  {rule.Id.PadRight(ruleWidth)} {Level(rule.Level.PadRight(9), rule.Level, color)} {measure}{bar}");
        }

        lines.Add("");
        var broadcast = snapshot.Broadcast;
        var playing = broadcast.Playing is null ? "idle" : $"▶ {broadcast.Playing}";
        lines.Add($" broadcast  {playing,-22} amplifier {OnOff(broadcast.AmplifierOn)}  zones {OnOff(broadcast.ZonesOn)}"
            + $"  played {broadcast.Played.Count}: {string.Join(", ", broadcast.Played.TakeLast(4))}");
        var uplink = snapshot.Uplink;
        lines.Add(string.Create(Inv,
            $" uplink     {(uplink.Connected ? "connected" : "DISCONNECTED")}  queue {uplink.QueueDepth}  hub received: {uplink.Alerts} alerts · {uplink.CapDocuments} CAP · {uplink.Events} events · {uplink.Telemetry} telemetry · status {uplink.Status ?? "—"}"));
        lines.Add("");
        lines.Add(" recent");
        foreach (var entry in snapshot.Recent.TakeLast(8))
        {
            lines.Add("  " + entry);
        }

        var text = new StringBuilder();
        foreach (var line in lines)
        {
            text.Append(Fit(line, width)).Append('\n');
        }

        return text.ToString();
    }

    /// <summary>One line for logs and redirected output: time, station level, key figures.</summary>
    public static string Line(DemoSnapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        var readings = string.Join(" ", snapshot.Sensors.Select(s =>
            double.IsNaN(s.Value) ? $"{s.Id}=—" : string.Create(Inv, $"{s.Id}={s.Value:0.##}{s.Unit}")));
        var raised = snapshot.Rules.Where(r => r.Level != "none").Select(r => $"{r.Id}:{r.Level}");
        return string.Create(Inv,
            $"[{Clock(snapshot.StormElapsed)}] station={snapshot.StationLevel} {readings} rules=[{string.Join(",", raised)}] "
            + $"broadcast={snapshot.Broadcast.Playing ?? "idle"} played={snapshot.Broadcast.Played.Count} "
            + $"uplink={(snapshot.Uplink.Connected ? "up" : "down")} queue={snapshot.Uplink.QueueDepth} "
            + $"hub=alerts:{snapshot.Uplink.Alerts},events:{snapshot.Uplink.Events},telemetry:{snapshot.Uplink.Telemetry}");
    }

    /// <summary>The closing summary.</summary>
    public static string Summary(DemoSummary summary)
    {
        ArgumentNullException.ThrowIfNull(summary);
        var text = new StringBuilder();
        text.Append(Inv, $"Storm of {Clock(summary.StormDuration)} simulated in {summary.RealDuration.TotalSeconds:0} s at station {summary.StationId}.\n");
        text.Append(Inv, $"Level transitions ({summary.Transitions.Count}):\n");
        foreach (var t in summary.Transitions)
        {
            text.Append("  ").Append(t).Append('\n');
        }

        text.Append(Inv, $"Broadcasts played ({summary.BroadcastsPlayed.Count}): {string.Join(", ", summary.BroadcastsPlayed)}\n");
        text.Append(Inv,
            $"Delivered to the hub: {summary.AlertsDelivered} alerts, {summary.CapDocuments} CAP documents, {summary.EventsDelivered} events, {summary.TelemetryDelivered} telemetry batches\n");
        if (summary.Sl651 is { } sl651)
        {
            text.Append(Inv, $"Confirmed by the SL 651 centre: {sl651.Timed} timed reports, {sl651.Add} add reports\n");
        }

        text.Append(summary.DeliveryProblems.Count == 0
            ? "Delivery: every message once, in seq order, none missing\n"
            : "Delivery problems: " + string.Join("; ", summary.DeliveryProblems) + "\n");
        if (summary.WavPath is not null)
        {
            text.Append(Inv, $"Broadcast audio ({summary.WavDuration.TotalSeconds:0.0} s): {summary.WavPath}\n");
        }

        text.Append(summary.Succeeded
            ? "RESULT: ok, the storm raised and cleared the alerts and the broadcasts played\n"
            : "RESULT: FAILED\n" + string.Concat(summary.Failures.Select(f => "  " + f + "\n")));
        return text.ToString();
    }

    /// <summary>Values as block characters scaled between their min and max (the last <paramref name="width"/> only).</summary>
    public static string Sparkline(IReadOnlyList<double> values, int width)
    {
        ArgumentNullException.ThrowIfNull(values);
        var shown = values.Where(v => !double.IsNaN(v)).TakeLast(width).ToList();
        if (shown.Count == 0)
        {
            return new string(' ', width);
        }

        var min = shown.Min();
        var span = shown.Max() - min;
        var chars = shown.Select(v => span <= 0 ? Ticks[0] : Ticks[(int)Math.Round((v - min) / span * (Ticks.Length - 1))]);
        return string.Concat(chars).PadRight(width);
    }

    /// <summary>A bar of <paramref name="width"/> cells filled to value/max (clamped).</summary>
    public static string Bar(double value, double max, int width)
    {
        var fraction = max <= 0 || double.IsNaN(value) ? 0 : Math.Clamp(value / max, 0, 1);
        var full = (int)Math.Round(fraction * width);
        return "[" + new string('█', full) + new string('░', width - full) + "]";
    }

    /// <summary>hh:mm of a span (hours may pass 24).</summary>
    public static string Clock(TimeSpan span) =>
        string.Create(Inv, $"{(int)span.TotalHours:00}:{span.Minutes:00}");

    private static string OnOff(bool on) => on ? "ON " : "off";

    private static string Level(string text, string level, bool color)
    {
        if (!color)
        {
            return text;
        }

        var code = level switch
        {
            "watch" => "\u001b[33m",
            "prepare" => "\u001b[38;5;208m",
            "evacuate" => "\u001b[1;31m",
            _ => "\u001b[32m",
        };
        return code + text + Reset;
    }

    /// <summary>Cuts a line to <paramref name="width"/> visible columns, keeping ANSI sequences whole.</summary>
    internal static string Fit(string line, int width)
    {
        var visible = 0;
        var result = new StringBuilder(line.Length);
        for (var i = 0; i < line.Length; i++)
        {
            if (line[i] == '\u001b')
            {
                var end = line.IndexOf('m', i);
                end = end < 0 ? line.Length - 1 : end;
                result.Append(line, i, end - i + 1);
                i = end;
                continue;
            }

            if (visible == width)
            {
                continue;
            }

            result.Append(line[i]);
            visible++;
        }

        return result.ToString().TrimEnd();
    }
}
