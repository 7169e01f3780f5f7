using System.Globalization;
using System.CommandLine;
using System.Net;
using System.Net.Sockets;
using EdgeGateway.Sl651;
using EdgeGateway.Sl651.Centre;

namespace EdgeGateway.Cli;

/// <summary>
/// <c>edgegw sim sl651-centre</c>: a centre for the bench. A technician points a station (or a data logger
/// of another make) at it and sees every frame it sends, decoded, each report confirmed as a platform would.
/// Runs until Ctrl+C or SIGTERM, then exits 0.
/// </summary>
internal static class SimSl651CentreCommand
{
    public static Command Build()
    {
        var port = new Option<int>("--port") { Description = "TCP port to listen on; 0 picks a free one (printed first)", Required = true };
        var address = new Option<string>("--address")
        {
            Description = "IP address to listen on (0.0.0.0 for a station on the LAN)",
            DefaultValueFactory = _ => "127.0.0.1",
        };
        var json = new Option<bool>("--json") { Description = "JSON Lines: each frame as `sl651 decode --json` prints it" };
        var command = new Command("sl651-centre",
            "A bench SL 651 centre: accepts stations over TCP, prints every frame decoded and confirms each report\n"
            + "(a downlink with the same function code and serial). Bytes that are not a frame are reported on stderr\n"
            + "and that connection is dropped. Runs until Ctrl+C or SIGTERM.");
        command.Options.Add(port);
        command.Options.Add(address);
        command.Options.Add(json);
        command.SetAction(async (parse, cancellationToken) =>
        {
            var number = parse.GetValue(port);
            var host = parse.GetValue(address)!;
            if (number is < 0 or > IPEndPoint.MaxPort)
            {
                return await CliUsage.FailAsync(parse, $"sim sl651-centre: --port {number} is not a TCP port (0-65535)").ConfigureAwait(false);
            }

            if (!IPAddress.TryParse(host, out var ip))
            {
                return await CliUsage.FailAsync(parse, $"sim sl651-centre: --address '{host}' is not an IP address (e.g. 127.0.0.1)").ConfigureAwait(false);
            }

            using var stop = new StopSignals(cancellationToken);
            return await RunAsync(new IPEndPoint(ip, number), parse.GetValue(json),
                parse.InvocationConfiguration.Output, parse.InvocationConfiguration.Error, stop.Token).ConfigureAwait(false);
        });
        return command.WithExamples(
            "edgegw sim sl651-centre --port 5001",
            "edgegw sim sl651-centre --address 0.0.0.0 --port 5001 --json");
    }

    private static async Task<int> RunAsync(IPEndPoint endpoint, bool json, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        var gate = new Lock();
        void Say(TextWriter writer, string text)
        {
            // Frames from several stations arrive on their own tasks; a line is written whole.
            lock (gate)
            {
                writer.WriteLine(text);
                writer.Flush();
            }
        }

        var options = new Sl651CentreOptions
        {
            OnFrame = received =>
            {
                var decoded = Sl651Decoder.Inspect(received.Raw.Span);
                Say(output, json
                    ? Sl651FrameText.Json(decoded)
                    : $"{received.Remote}: {Sl651FrameText.Line(decoded)}{(received.Confirmed ? " -> confirmed" : "")}");
            },
            OnGarbage = garbage => Say(error,
                $"edgegw: sim sl651-centre: {garbage.Remote}: not a frame: {garbage.Error.Message}; connection dropped (received {Shorten(garbage.ReceivedHex)})"),
        };
        var centre = new Sl651Centre(endpoint, options);
        await using (centre.ConfigureAwait(false))
        {
            IPEndPoint listening;
            try
            {
                listening = centre.Start();
            }
            catch (SocketException e)
            {
                Say(error, $"edgegw: sim sl651-centre: cannot listen on {endpoint}: {e.Message}");
                return ExitCodes.Failure;
            }

            Say(output, json
                ? $"{{\"listening\":\"{listening}\",\"port\":{listening.Port.ToString(CultureInfo.InvariantCulture)}}}"
                : $"SL 651 centre listening on {listening}; Ctrl+C stops it");
            try
            {
                await Task.Delay(Timeout.InfiniteTimeSpan, TimeProvider.System, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                // Stopped by the technician.
            }
        }

        Say(json ? error : output, FormattableString.Invariant(
            $"stopped after {centre.FrameCount} frames, {centre.ConfirmedCount} confirmed, {centre.GarbageCount} connections dropped for garbage"));
        return ExitCodes.Success;
    }

    /// <summary>Garbage can be long (a web request, a serial console's chatter); the first bytes say what it was.</summary>
    private static string Shorten(string hex) => hex.Length <= 64 ? hex : hex[..64] + "...";
}
