using System.CommandLine;
using System.CommandLine.Parsing;

namespace EdgeGateway.Cli;

/// <summary>
/// Usage errors as a Unix tool prints them: <c>edgegw: what is wrong</c>, then where the verb's own help is,
/// so the next step is always named.
/// </summary>
public static class CliUsage
{
    /// <summary><c>See 'edgegw broadcast play --help'.</c> for the verb <paramref name="parse"/> reached.</summary>
    public static string HelpHint(ParseResult parse)
    {
        ArgumentNullException.ThrowIfNull(parse);
        return $"See '{CommandPath(parse.CommandResult)} --help'.";
    }

    /// <summary>Prints <paramref name="message"/> (when given) and the help hint on stderr; returns exit code 2.</summary>
    public static async Task<int> FailAsync(ParseResult parse, string? message)
    {
        ArgumentNullException.ThrowIfNull(parse);
        var error = parse.InvocationConfiguration.Error;
        if (message is not null)
        {
            await error.WriteLineAsync($"edgegw: {message}").ConfigureAwait(false);
        }

        await error.WriteLineAsync(HelpHint(parse)).ConfigureAwait(false);
        return ExitCodes.Usage;
    }

    /// <summary>For synchronous actions: prints the help hint on stderr after the error already printed; returns exit code 2.</summary>
    public static int Fail(ParseResult parse)
    {
        ArgumentNullException.ThrowIfNull(parse);
        parse.InvocationConfiguration.Error.WriteLine(HelpHint(parse));
        return ExitCodes.Usage;
    }

    /// <summary><c>edgegw sim gpio</c>: the words that reach <paramref name="result"/>'s command.</summary>
    public static string CommandPath(CommandResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var names = new List<string>();
        for (var r = result; r is not null && r.Command is not RootCommand; r = r.Parent as CommandResult)
        {
            names.Add(r.Command.Name);
        }

        names.Add("edgegw");
        names.Reverse();
        return string.Join(' ', names);
    }
}
