using System.CommandLine;

namespace EdgeGateway.Cli;

/// <summary>Builds the <c>edgegw</c> command tree. Each verb group lives in its own *Commands class.</summary>
public static class CliRoot
{
    public static RootCommand Build()
    {
        var root = new RootCommand("edgegw: the EdgeGateway flood-warning station service and its tools");
        // Verb groups, in the order --help lists them.
        root.Subcommands.Add(RunCommand.Build());
        root.Subcommands.Add(ConfigCommands.Build());
        root.Subcommands.Add(ReplayCommands.Build());
        root.Subcommands.Add(AlertCommands.Build());
        root.Subcommands.Add(StatusCommands.Build());
        root.Subcommands.Add(BroadcastCommands.Build());
        root.Subcommands.Add(CommandCommands.Build());
        root.Subcommands.Add(DemoCommands.Build());
        root.Subcommands.Add(ModbusCommands.Build());
        root.Subcommands.Add(Sl651Commands.Build());
        root.Subcommands.Add(RelaysCommands.Build());
        root.Subcommands.Add(SimCommands.Build());
        root.Subcommands.Add(BenchCommands.Build());
        return root;
    }

    public static async Task<int> RunAsync(string[] args)
    {
        var parse = Build().Parse(args);
        if (parse.Errors.Count > 0)
        {
            foreach (var error in parse.Errors)
            {
                await Console.Error.WriteLineAsync($"edgegw: {error.Message}").ConfigureAwait(false);
            }

            await Console.Error.WriteLineAsync("Try 'edgegw --help'.").ConfigureAwait(false);
            return ExitCodes.Usage;
        }

        return await parse.InvokeAsync().ConfigureAwait(false);
    }
}
