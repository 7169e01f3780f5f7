using System.CommandLine;
using System.CommandLine.Invocation;
using EdgeGateway.Configuration.Internal;

namespace EdgeGateway.Cli;

/// <summary>Builds the <c>edgegw</c> command tree. Each verb group lives in its own *Commands class.</summary>
public static class CliRoot
{
    public static RootCommand Build() => Build(serviceOnly: false);

    /// <param name="serviceOnly">
    /// Only the <c>run</c> verb: what the service's command line needs. The station runs for years on a
    /// small board; the other verbs' trees would only add code pages and objects it keeps resident.
    /// </param>
    internal static RootCommand Build(bool serviceOnly)
    {
        var root = new RootCommand("edgegw: the EdgeGateway flood-warning station service and its tools");
        // Verb groups, in the order --help lists them.
        root.Subcommands.Add(RunCommand.Build());
        if (serviceOnly)
        {
            CliExamples.Install(root);
            return root;
        }

        root.Subcommands.Add(ConfigCommands.Build());
        root.Subcommands.Add(ReplayCommands.Build());
        root.Subcommands.Add(HistoryCommands.Build());
        root.Subcommands.Add(AlertCommands.Build());
        root.Subcommands.Add(StatusCommands.Build());
        root.Subcommands.Add(EventsCommands.Build());
        root.Subcommands.Add(BroadcastCommands.Build());
        root.Subcommands.Add(CommandCommands.Build());
        root.Subcommands.Add(DemoCommands.Build());
        root.Subcommands.Add(ModbusCommands.Build());
        root.Subcommands.Add(Sl651Commands.Build());
        root.Subcommands.Add(RelaysCommands.Build());
        root.Subcommands.Add(SimCommands.Build());
        root.Subcommands.Add(HubCommands.Build());
        root.Subcommands.Add(BenchCommands.Build());
        root.WithExamples("edgegw status", "edgegw config validate /etc/edge-gateway/station.yaml");
        CliExamples.Install(root);
        return root;
    }

    public static async Task<int> RunAsync(string[] args)
    {
        ArgumentNullException.ThrowIfNull(args);

        // A bare 'edgegw' is someone asking what it does: the help, as git and systemctl answer.
        var parse = Build(serviceOnly: args is ["run", ..]).Parse(args.Length == 0 ? ["--help"] : args);
        // --help wins over what else is wrong on the line (a verb's help without its arguments).
        if (parse.Errors.Count > 0 && parse.Action is ParseErrorAction or null)
        {
            foreach (var line in UsageErrors(parse))
            {
                await Console.Error.WriteLineAsync(line).ConfigureAwait(false);
            }

            return ExitCodes.Usage;
        }

        return await parse.InvokeAsync().ConfigureAwait(false);
    }

    /// <summary>
    /// What a parse error prints: each error, a guess for a mistyped verb or option (<c>stauts</c>:
    /// did you mean 'status'?), and where the help of the verb reached so far is.
    /// </summary>
    public static IReadOnlyList<string> UsageErrors(ParseResult parse)
    {
        ArgumentNullException.ThrowIfNull(parse);
        var command = parse.CommandResult.Command;
        var path = CliUsage.CommandPath(parse.CommandResult);
        var lines = new List<string>();
        if (command.Action is null && parse.UnmatchedTokens.Count > 0 && !parse.UnmatchedTokens[0].StartsWith('-'))
        {
            // A verb group given a word it does not know: say that, not that a command is missing.
            var word = parse.UnmatchedTokens[0];
            var near = Suggest.Nearest(word, command.Subcommands.Where(c => !c.Hidden).Select(c => c.Name));
            lines.Add($"edgegw: '{word}' is not a command of '{path}'{(near is null ? "" : $"; did you mean '{near}'?")}");
        }
        else
        {
            lines.AddRange(parse.Errors.Select(e => $"edgegw: {e.Message}").Distinct());
            foreach (var token in parse.UnmatchedTokens.Where(t => t.StartsWith('-')))
            {
                if (Suggest.Nearest(token, command.Options.Where(o => !o.Hidden).Select(o => o.Name)) is { } near)
                {
                    lines.Add($"edgegw: '{token}': did you mean '{near}'?");
                }
            }
        }

        lines.Add(CliUsage.HelpHint(parse));
        return lines;
    }
}
