using System.CommandLine;
using EdgeGateway.Cli;

namespace EdgeGateway.Tests.Cli;

/// <summary>Runs <c>edgegw</c> in-process with its output captured, with the exit codes of the real entry point.</summary>
internal static class CliRunner
{
    public static async Task<(int Exit, string Out, string Err)> RunAsync(CancellationToken cancellationToken, params string[] args)
    {
        var parse = CliRoot.Build().Parse(args);
        if (parse.Errors.Count > 0)
        {
            return (ExitCodes.Usage, "", string.Join("\n", parse.Errors.Select(e => e.Message)));
        }

        using var output = new StringWriter();
        using var error = new StringWriter();
        var exit = await parse.InvokeAsync(new InvocationConfiguration { Output = output, Error = error }, cancellationToken);
        return (exit, output.ToString(), error.ToString());
    }

    public static Task<(int Exit, string Out, string Err)> RunAsync(params string[] args) => RunAsync(CancellationToken.None, args);
}
