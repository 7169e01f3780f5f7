using System.CommandLine;
using System.Text.Json.Nodes;

namespace EdgeGateway.Cli;

/// <summary><c>edgegw alert clear [RULE] [--force]</c>: an operator's clear through the running service.</summary>
public static class AlertCommands
{
    public static Command Build()
    {
        var alert = new Command("alert", "Act on the running station's alerts");
        var clear = new Command(
            "clear",
            "Clear a rule's level (a latched manual alarm, say), or every rule's without RULE. The rule rises " +
            "again at once if its condition still holds. A rule whose sensor is faulty is not cleared (exit 2) " +
            "unless --force; a forced clear plays no all-clear. Audited and uplinked as an event.");
        var rule = new Argument<string?>("RULE") { Description = "The rule id (default: every rule)", Arity = ArgumentArity.ZeroOrOne };
        clear.Arguments.Add(rule);
        var force = new Option<bool>("--force") { Description = "Clear even a rule whose sensor is faulty (no all-clear is played)" };
        clear.Options.Add(force);
        var target = ServiceTarget.AddTo(clear);
        clear.SetAction((parse, ct) =>
        {
            var args = new JsonObject { ["actor"] = $"cli:{Environment.UserName}", ["force"] = parse.GetValue(force) };
            if (parse.GetValue(rule) is { } id)
            {
                args["rule"] = id;
            }

            return target.InvokeAsync(parse, "alert.clear", args, Describe, ct);
        });
        alert.Subcommands.Add(clear.WithExamples(
            "edgegw alert clear manual",
            "edgegw alert clear river --force"));
        return alert.WithExamples(
            "edgegw alert clear manual");
    }

    private static string Describe(JsonNode? result)
    {
        var transitions = result?["transitions"]?.AsArray() ?? [];
        var station = result?["stationLevel"]?.GetValue<string>() ?? "?";
        if (transitions.Count == 0)
        {
            return $"nothing to clear; station level {station}";
        }

        var lines = transitions.Select(t => $"{t!["scope"]} {t["id"]}: {t["from"]} -> {t["to"]}");
        return string.Join(Environment.NewLine, lines.Append($"station level {station}"));
    }
}
