using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using EdgeGateway.Control;

namespace EdgeGateway.Cli;

/// <summary>
/// <c>edgegw broadcast test [--silent] | play MESSAGE | say TEXT | stop</c>: act on the running station's
/// loudspeakers through its control socket. Every act is audited (log and operator-action event).
/// </summary>
public static class BroadcastCommands
{
    private const int MaxRepeat = 100;

    public static Command Build()
    {
        var broadcast = new Command("broadcast", "Act on the running station's loudspeakers (audited, uplinked as events)");
        broadcast.Subcommands.Add(TestCommand());
        broadcast.Subcommands.Add(PlayCommand());
        broadcast.Subcommands.Add(SayCommand());
        broadcast.Subcommands.Add(StopCommand());
        return broadcast.WithExamples(
            "edgegw broadcast test --silent",
            "edgegw broadcast stop");
    }

    private static Command TestCommand()
    {
        var test = new Command(
            "test",
            "Audible test: play the test message (it says it is a test) once. With --silent: cycle the relays and " +
            "exercise the audio path with nothing reaching the speakers. Tests never interrupt a broadcast.");
        var silent = new Option<bool>("--silent") { Description = "No sound on the speakers (as the scheduled self-test)" };
        test.Options.Add(silent);
        var wait = WaitOption();
        test.Options.Add(wait);
        var target = ServiceTarget.AddTo(test);
        test.SetAction((parse, ct) =>
            InvokeAsync(target, parse, wait, "broadcast.test", Args(new JsonObject { ["silent"] = parse.GetValue(silent) }), ct));
        return test.WithExamples(
            "edgegw broadcast test --silent --wait",
            "edgegw broadcast test --silent --config /etc/edge-gateway/station.yaml");
    }

    private static Command PlayCommand()
    {
        var play = new Command("play", "Play a configured message (broadcast.messages) now, above automatic broadcasts");
        var message = new Argument<string>("MESSAGE") { Description = "The message id (prepare, evacuate, all-clear, test, ...)" };
        play.Arguments.Add(message);
        var repeat = RepeatOption();
        play.Options.Add(repeat);
        var wait = WaitOption();
        play.Options.Add(wait);
        var target = ServiceTarget.AddTo(play);
        play.SetAction((parse, ct) => InvokeAsync(
            target,
            parse,
            wait,
            "broadcast.play",
            Args(new JsonObject { ["message"] = parse.GetValue(message), ["repeat"] = parse.GetValue(repeat) }),
            ct));
        return play.WithExamples(
            "edgegw broadcast play evacuate --wait",
            "edgegw broadcast play prepare --repeat 3");
    }

    private static Command SayCommand()
    {
        var say = new Command("say", "Speak a text (espeak-ng) now, above automatic broadcasts");
        var text = new Argument<string>("TEXT") { Description = "What to say" };
        say.Arguments.Add(text);
        var voice = new Option<string>("--voice") { Description = "espeak-ng voice (default cmn: Mandarin)", HelpName = "VOICE" };
        say.Options.Add(voice);
        var repeat = RepeatOption();
        say.Options.Add(repeat);
        var wait = WaitOption();
        say.Options.Add(wait);
        var target = ServiceTarget.AddTo(say);
        say.SetAction((parse, ct) =>
        {
            var args = new JsonObject { ["text"] = parse.GetValue(text), ["repeat"] = parse.GetValue(repeat) };
            if (parse.GetValue(voice) is { } v)
            {
                args["voice"] = v;
            }

            return InvokeAsync(target, parse, wait, "broadcast.say", Args(args), ct);
        });
        return say.WithExamples(
            "edgegw broadcast say \"The bridge road is closed\" --voice en",
            "edgegw broadcast say \"河水上涨，请准备转移\" --repeat 2");
    }

    private static Command StopCommand()
    {
        var stop = new Command("stop", "Stop the broadcast playing (relays off at once) and drop every waiting one");
        var target = ServiceTarget.AddTo(stop);
        stop.SetAction((parse, ct) => target.InvokeAsync(parse, "broadcast.stop", Args([]), Stopped, ct));
        return stop.WithExamples(
            "edgegw broadcast stop",
            "edgegw broadcast stop --socket /run/edge-gateway/control.sock");
    }

    private static Option<bool> WaitOption() => new("--wait")
    {
        Description = "Return when the broadcast has ended and print how: exit 0 when it completed (a test: passed), " +
            "1 when it failed, was preempted or stopped",
    };

    private static Task<int> InvokeAsync(ServiceTarget target, ParseResult parse, Option<bool> wait, string verb, JsonObject args, CancellationToken ct) =>
        parse.GetValue(wait)
            ? target.InvokeAsync(parse, verb, args, Queued, ct, then: (socket, result) => WaitAsync(parse, target, socket, result, ct))
            : target.InvokeAsync(parse, verb, args, Queued, ct);

    // Asks again and again: one request may not outlast the socket's request time, a broadcast may.
    private static async Task<int> WaitAsync(ParseResult parse, ServiceTarget target, string socket, JsonNode? queued, CancellationToken ct)
    {
        var output = parse.InvocationConfiguration.Output;
        if (queued?["accepted"]?.GetValue<bool>() != true || queued["id"]?.GetValue<string>() is not { } id)
        {
            return ExitCodes.Failure;
        }

        while (true)
        {
            var answer = await ControlClient.SendAsync(socket, BroadcastWaitVerbName, new JsonObject { ["id"] = id }, WaitRequestTimeout, ct).ConfigureAwait(false);
            if (answer?["ended"]?.GetValue<bool>() != true)
            {
                continue;
            }

            var ok = answer["ok"]?.GetValue<bool>() == true;
            if (parse.GetValue(target.Json))
            {
                await output.WriteLineAsync(answer.ToJsonString()).ConfigureAwait(false);
            }
            else
            {
                var error = answer["error"]?.GetValue<string>();
                await output.WriteLineAsync($"ended: {answer["outcome"]?.GetValue<string>()}{(error is null ? "" : " (" + error + ")")}").ConfigureAwait(false);
            }

            return ok ? ExitCodes.Success : ExitCodes.Failure;
        }
    }

    private const string BroadcastWaitVerbName = "broadcast.wait";

    // The service answers within its own 20 s wait; this leaves room for a loaded Pi.
    private static readonly TimeSpan WaitRequestTimeout = TimeSpan.FromSeconds(28);

    private static Option<int> RepeatOption()
    {
        var repeat = new Option<int>("--repeat") { Description = "How many times", HelpName = "N", DefaultValueFactory = _ => 1 };
        repeat.Validators.Add(result =>
        {
            var n = result.GetValueOrDefault<int>();
            if (n is < 1 or > MaxRepeat)
            {
                result.AddError($"--repeat must be 1-{MaxRepeat}, not {n}");
            }
        });
        return repeat;
    }

    private static JsonObject Args(JsonObject args)
    {
        args["actor"] = $"cli:{Environment.UserName}";
        return args;
    }

    private static string Queued(JsonNode? result)
    {
        if (result?["accepted"]?.GetValue<bool>() != true)
        {
            return $"not queued: {result?["reason"]?.GetValue<string>() ?? "refused"}";
        }

        var id = result["id"]?.GetValue<string>();
        var position = result["position"]?.GetValue<int>() ?? 0;
        var when = result["preempting"]?.GetValue<bool>() == true
            ? "playing now (preempts the current broadcast)"
            : position == 0 ? "first in line (plays now if the speakers are idle)" : string.Create(CultureInfo.InvariantCulture, $"queued at position {position + 1}");
        return $"{when}; id {id}";
    }

    private static string Stopped(JsonNode? result)
    {
        var stopped = result?["stopped"]?.GetValue<string>();
        var dropped = result?["dropped"]?.GetValue<int>() ?? 0;
        return string.Create(CultureInfo.InvariantCulture, $"{(stopped is null ? "nothing was playing" : "stopped " + stopped)}; {dropped} waiting broadcast(s) dropped");
    }
}
