using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Invocation;
using System.Runtime.CompilerServices;

namespace EdgeGateway.Cli;

/// <summary>
/// Examples that end a verb's help: what a technician copies first. System.CommandLine's help has no
/// section for them, so the help option's action prints its usual text and then these.
/// </summary>
public static class CliExamples
{
    private static readonly ConditionalWeakTable<Command, string[]> Table = [];

    /// <summary>Attaches <paramref name="examples"/> (full command lines) to <paramref name="command"/>'s help.</summary>
    public static TCommand WithExamples<TCommand>(this TCommand command, params string[] examples)
        where TCommand : Command
    {
        ArgumentNullException.ThrowIfNull(command);
        Table.AddOrUpdate(command, examples);
        return command;
    }

    /// <summary>The examples attached to <paramref name="command"/>, or none.</summary>
    public static IReadOnlyList<string> Of(Command command) =>
        Table.TryGetValue(command, out var examples) ? examples : [];

    /// <summary>Makes <paramref name="root"/>'s --help print each command's examples after its help.</summary>
    public static void Install(RootCommand root)
    {
        ArgumentNullException.ThrowIfNull(root);
        var help = root.Options.OfType<HelpOption>().Single();
        if (help.Action is HelpAction standard)
        {
            help.Action = new HelpWithExamples(standard);
        }
    }

    private sealed class HelpWithExamples(HelpAction standard) : SynchronousCommandLineAction
    {
        public override int Invoke(ParseResult parseResult)
        {
            var exit = standard.Invoke(parseResult);
            var examples = Of(parseResult.CommandResult.Command);
            if (examples.Count > 0)
            {
                var output = parseResult.InvocationConfiguration.Output;
                output.WriteLine("Examples:");
                foreach (var example in examples)
                {
                    output.WriteLine($"  {example}");
                }

                output.WriteLine();
            }

            return exit;
        }
    }
}
