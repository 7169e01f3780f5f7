using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;

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
        var target = ServiceTarget.AddTo(test);
        test.SetAction((parse, ct) =>
            target.InvokeAsync(parse, "broadcast.test", Args(new JsonObject { ["silent"] = parse.GetValue(silent) }), Queued, ct));
        return test.WithExamples(
            "edgegw broadcast test",
            "edgegw broadcast test --silent --config /etc/edge-gateway/station.yaml");
    }

    private static Command PlayCommand()
    {
        var play = new Command("play", "Play a configured message (broadcast.messages) now, above automatic broadcasts");
        var message = new Argument<string>("MESSAGE") { Description = "The message id (prepare, evacuate, all-clear, test, ...)" };
        play.Arguments.Add(message);
        var repeat = RepeatOption();
        play.Options.Add(repeat);
        var target = ServiceTarget.AddTo(play);
        play.SetAction((parse, ct) => target.InvokeAsync(
            parse,
            "broadcast.play",
            Args(new JsonObject { ["message"] = parse.GetValue(message), ["repeat"] = parse.GetValue(repeat) }),
            Queued,
            ct));
        return play.WithExamples(
            "edgegw broadcast play evacuate",
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
        var target = ServiceTarget.AddTo(say);
        say.SetAction((parse, ct) =>
        {
            var args = new JsonObject { ["text"] = parse.GetValue(text), ["repeat"] = parse.GetValue(repeat) };
            if (parse.GetValue(voice) is { } v)
            {
                args["voice"] = v;
            }

            return target.InvokeAsync(parse, "broadcast.say", Args(args), Queued, ct);
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
