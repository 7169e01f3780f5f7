using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Nodes;
using EdgeGateway.Configuration;
using EdgeGateway.Control;

namespace EdgeGateway.Cli;

/// <summary>
/// For the verbs that act through the running service: <c>--socket PATH</c> or <c>--config FILE</c>
/// (its <c>control.socket</c>) find the control socket; the default is the packaged service's socket.
/// </summary>
public sealed class ServiceTarget
{
    private static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(15);

    private ServiceTarget(Option<string> socket, Option<string> config, Option<bool> json)
    {
        Socket = socket;
        Config = config;
        Json = json;
    }

    public Option<string> Socket { get; }

    public Option<string> Config { get; }

    public Option<bool> Json { get; }

    /// <summary>Adds --socket, --config and --json to <paramref name="command"/>.</summary>
    public static ServiceTarget AddTo(Command command)
    {
        ArgumentNullException.ThrowIfNull(command);
        var target = new ServiceTarget(
            new Option<string>("--socket") { Description = $"The service's control socket (default {ControlSection.DefaultSocket})", HelpName = "PATH" },
            new Option<string>("--config") { Description = "Find the socket in this station file (its control.socket; the rest of the file is not needed)", HelpName = "FILE" },
            CommonOptions.Json());
        command.Options.Add(target.Socket);
        command.Options.Add(target.Config);
        command.Options.Add(target.Json);
        return target;
    }

    /// <summary>
    /// The control socket named by --socket, by --config's control.socket (an otherwise invalid file gives a
    /// warning on stderr), or the default; null with the exit code when --config cannot be read.
    /// </summary>
    public async Task<(string? Socket, int ExitCode)> FindSocketAsync(ParseResult parse)
    {
        ArgumentNullException.ThrowIfNull(parse);
        var error = parse.InvocationConfiguration.Error;
        var socket = parse.GetValue(Socket);
        if (socket is null && parse.GetValue(Config) is { } configPath)
        {
            var found = ControlSocketFinder.Find(configPath);
            if (found.Error is { } unreadable)
            {
                await error.WriteLineAsync(unreadable).ConfigureAwait(false);
                return (null, await CliUsage.FailAsync(parse, null).ConfigureAwait(false));
            }

            if (found.Warning is { } warning)
            {
                await error.WriteLineAsync($"edgegw: {warning}").ConfigureAwait(false);
            }

            socket = found.Socket;
        }

        return (socket ?? ControlSection.DefaultSocket, ExitCodes.Success);
    }

    /// <summary>
    /// Sends one request and prints the answer: <paramref name="describe"/> formats the result as text,
    /// --json prints it as JSON. Exit 1 when the service cannot be reached or fails, 2 on an unreadable
    /// --config or when the service refuses what was asked with a code (printed on stderr with the reason).
    /// Of --config only control.socket is used: an otherwise invalid file is a warning.
    /// <paramref name="timeout"/> (default 15 s) is for verbs that take their time. <paramref name="describeJson"/>
    /// replaces the --json form; <paramref name="then"/> continues with the socket and the answer (after it is
    /// printed) and gives the exit code.
    /// </summary>
    public async Task<int> InvokeAsync(
        ParseResult parse,
        string verb,
        JsonObject? args,
        Func<JsonNode?, string> describe,
        CancellationToken cancellationToken,
        TimeSpan? timeout = null,
        Func<JsonNode?, string>? describeJson = null,
        Func<string, JsonNode?, Task<int>>? then = null)
    {
        ArgumentNullException.ThrowIfNull(parse);
        ArgumentNullException.ThrowIfNull(describe);
        var output = parse.InvocationConfiguration.Output;
        var error = parse.InvocationConfiguration.Error;
        var (socket, exit) = await FindSocketAsync(parse).ConfigureAwait(false);
        if (socket is null)
        {
            return exit;
        }

        try
        {
            var result = await ControlClient.SendAsync(socket, verb, args, timeout ?? DefaultTimeout, cancellationToken).ConfigureAwait(false);
            if (parse.GetValue(Json))
            {
                var text = describeJson?.Invoke(result) ?? result?.ToJsonString(new JsonSerializerOptions { WriteIndented = false }) ?? "null";
                if (text.Length > 0)
                {
                    // JSON Lines with nothing to say print nothing, not a blank line.
                    await output.WriteLineAsync(text).ConfigureAwait(false);
                }
            }
            else
            {
                await output.WriteLineAsync(describe(result)).ConfigureAwait(false);
            }

            return then is null ? ExitCodes.Success : await then(socket, result).ConfigureAwait(false);
        }
        catch (ControlUnavailableException ex)
        {
            await error.WriteLineAsync($"edgegw: {ex.Message}").ConfigureAwait(false);
            return ExitCodes.Failure;
        }
        catch (ControlRefusedException ex) when (ex.Code is not null)
        {
            // Refused for what was asked (an unknown message, a clear that needs --force): a usage error.
            return await CliUsage.FailAsync(parse, $"refused ({ex.Code}): {ex.Message}").ConfigureAwait(false);
        }
        catch (ControlRefusedException ex)
        {
            await error.WriteLineAsync($"edgegw: refused: {ex.Message}").ConfigureAwait(false);
            return ExitCodes.Failure;
        }
    }
}
