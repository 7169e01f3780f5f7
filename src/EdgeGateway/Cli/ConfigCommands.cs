using System.CommandLine;
using System.Text.Encodings.Web;
using System.Text.Json;
using EdgeGateway.Configuration;

namespace EdgeGateway.Cli;

/// <summary><c>edgegw config validate [FILE]</c>.</summary>
public static class ConfigCommands
{
    public static Command Build()
    {
        var config = new Command("config", "Work with the station configuration (station.yaml)");
        config.Subcommands.Add(BuildValidate());
        return config.WithExamples(
            "edgegw config validate /etc/edge-gateway/station.yaml");
    }

    private static Command BuildValidate()
    {
        var validate = new Command(
            "validate",
            "Check a station configuration file without starting anything: every problem is printed as " +
            "FILE:LINE:COLUMN: message on stderr, and the exit code is 2 if there is any. It judges the file, " +
            "not the machine: serial ports, audio files and keys need not exist here (a WAV message that can be read is " +
            "judged from its header). Files over 1 MiB are refused; at most 100 problems are printed.");
        var file = new Argument<string?>("FILE")
        {
            Description = $"The file to check (default: --config, else {StationConfigLoader.DefaultPath})",
            Arity = ArgumentArity.ZeroOrOne,
        };
        var configOption = CommonOptions.Config();
        var json = CommonOptions.Json();
        validate.Arguments.Add(file);
        validate.Options.Add(configOption);
        validate.Options.Add(json);
        validate.SetAction(parse =>
        {
            var output = parse.InvocationConfiguration.Output;
            var error = parse.InvocationConfiguration.Error;
            var named = parse.GetValue(file);
            var viaOption = parse.GetValue(configOption);
            if (named is not null && viaOption is not null && named != viaOption)
            {
                error.WriteLine($"edgegw: FILE ({named}) and --config ({viaOption}) name different files; give one");
                return CliUsage.Fail(parse);
            }

            return Validate(named ?? viaOption ?? StationConfigLoader.DefaultPath, parse.GetValue(json), output, error);
        });
        return validate.WithExamples(
            "edgegw config validate",
            "edgegw config validate station.yaml --json");
    }

    private static int Validate(string path, bool json, TextWriter output, TextWriter error)
    {
        var result = StationConfigLoader.Load(path, inspectClips: true);
        foreach (var line in result.ErrorLines())
        {
            error.WriteLine(line);
        }

        if (json)
        {
            output.WriteLine(ToJson(result));
        }
        else if (result.IsValid)
        {
            output.WriteLine($"{path}: ok");
        }

        return result.IsValid ? ExitCodes.Success : ExitCodes.Usage;
    }

    // {"file":"...","valid":false,"errors":[{"line":3,"column":7,"path":"station.id","message":"..."}]}
    private static string ToJson(ConfigLoadResult result)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            w.WriteStartObject();
            w.WriteString("file", result.File);
            w.WriteBoolean("valid", result.IsValid);
            w.WriteStartArray("errors");
            foreach (var e in result.Errors)
            {
                w.WriteStartObject();
                w.WriteNumber("line", e.Mark.Line);
                w.WriteNumber("column", e.Mark.Column);
                w.WriteString("path", e.Path);
                w.WriteString("message", e.Message);
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteNumber("errorCount", result.ErrorCount);
            w.WriteEndObject();
        }

        return System.Text.Encoding.UTF8.GetString(buffer.ToArray());
    }
}
