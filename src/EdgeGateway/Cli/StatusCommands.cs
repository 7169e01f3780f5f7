using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;

namespace EdgeGateway.Cli;

/// <summary><c>edgegw status [--json]</c>: the running service's state, through its control socket.</summary>
public static class StatusCommands
{
    public static Command Build()
    {
        var status = new Command(
            "status",
            "Show the running service's state: sensors (value, quality, age), rule and station levels, broadcast, " +
            "uplink and outbox depth, the SL 651 link, configuration hash and any refused reload, version, uptime and health.");
        var target = ServiceTarget.AddTo(status);
        status.SetAction((parse, ct) => target.InvokeAsync(parse, "status", null, Describe, ct));
        return status.WithExamples(
            "edgegw status",
            "edgegw status --config /etc/edge-gateway/station.yaml --json");
    }

    internal static string Describe(JsonNode? s)
    {
        var text = new StringBuilder();
        var inv = CultureInfo.InvariantCulture;
        var health = s?["health"];
        text.AppendLine(inv, $"station {s?["station"]}  edgegw {s?["version"]}  up {Duration(health?["uptimeSeconds"])}");
        if (s?["config"] is { } config)
        {
            text.AppendLine(inv, $"config {config["hash"]?.ToString()[..12]}");
            if (config["restartNeededFor"] is JsonArray waiting)
            {
                text.AppendLine(inv, $"  changed, in force after a restart: {string.Join(", ", waiting.Select(w => w?.ToString()))}");
            }

            if (config["rejected"] is { } rejected)
            {
                text.AppendLine(inv, $"  last reload REFUSED at {rejected["time"]} (previous configuration in force):");
                foreach (var e in rejected["errors"]?.AsArray() ?? [])
                {
                    text.AppendLine(inv, $"    {e}");
                }
            }
        }

        if (s?["stationLevel"] is { } level)
        {
            text.AppendLine(inv, $"station level {level}");
            foreach (var r in s["rules"]?.AsArray() ?? [])
            {
                text.AppendLine(inv, $"  rule {r!["id"],-16} {r["level"],-9} measure {r["measure"]?.ToString() ?? "-"}{(r["sensorFaulty"]?.GetValue<bool>() == true ? "  SENSOR FAULT" : "")}");
            }

            foreach (var x in s["sensors"]?.AsArray() ?? [])
            {
                text.AppendLine(inv, $"  sensor {x!["id"],-14} {x["value"]?.ToString() ?? "-",-10} {x["quality"],-12} {x["ageSeconds"]}s ago");
            }
        }

        if (s?["broadcast"] is { } b)
        {
            text.AppendLine(inv, $"broadcast {b["phase"]}{(b["current"] is { } c ? " playing " + c : "")}, {b["queued"]} queued, sink {b["sink"]}");
            foreach (var p in b["problems"]?.AsArray() ?? [])
            {
                text.AppendLine(inv, $"  problem: {p}");
            }
        }

        if (s?["uplink"] is { } u)
        {
            text.AppendLine(inv, $"uplink {u["state"]}, outbox {u["queueDepth"]} messages{(u["lastError"] is { } err ? ", last error: " + err : "")}");
            if (u["commandKeyProblem"] is { } keyProblem)
            {
                text.AppendLine(inv, $"command key fault: {keyProblem} (every hub command is refused)");
            }

        }

        if (s?["sl651"] is { } sl)
        {
            text.AppendLine(inv, $"sl651 {sl["state"]}{(sl["centre"] is { } centre ? " to " + centre : "")}, {sl["owed"]} report(s) owed, last confirmed {sl["lastConfirmed"]?.ToString() ?? "never"}{(sl["lastError"] is { } slErr ? ", last error: " + slErr : "")}");
        }

        foreach (var l in (s?["loops"]?.AsArray() ?? []).Where(l => l?["stalled"]?.GetValue<bool>() == true))
        {
            text.AppendLine(inv, $"loop {l!["name"]} STALLED for {l["silenceSeconds"]}s");
        }

        if (health?["storageFault"] is { } storageFault)
        {
            text.AppendLine(inv, $"STORAGE FAULT {storageFault} (the station goes on; unsaved data waits in memory)");
        }

        if (health is JsonObject h)
        {
            text.Append("health");
            foreach (var (key, value) in h)
            {
                text.Append(inv, $" {key}={value}");
            }

            text.AppendLine();
        }

        return text.ToString().TrimEnd();
    }

    private static string Duration(JsonNode? seconds) =>
        seconds is null ? "?" : TimeSpan.FromSeconds(seconds.GetValue<long>()).ToString("c", CultureInfo.InvariantCulture);
}
