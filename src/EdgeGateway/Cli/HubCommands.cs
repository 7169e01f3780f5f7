using System.CommandLine;
using System.Globalization;
using EdgeGateway.Hub;
using EdgeGateway.Hub.Configuration;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace EdgeGateway.Cli;

/// <summary><c>edgegw hub run|status --config hub.yaml</c>: the receiving end of the fleet's uplink.</summary>
public static class HubCommands
{
    public static Command Build()
    {
        var hub = new Command("hub", "The hub receiver: every station's uplink from the broker into PostgreSQL, and the fleet's state.");
        hub.Subcommands.Add(BuildRun());
        hub.Subcommands.Add(BuildStatus());
        return hub.WithExamples("edgegw hub run --config /etc/edge-hub/hub.yaml", "edgegw hub status --config /etc/edge-hub/hub.yaml --json");
    }

    private static Option<string> ConfigOption() => new("--config")
    {
        Description = "The hub configuration file (hub.yaml)",
        HelpName = "FILE",
        Required = true,
    };

    private static Command BuildRun()
    {
        var run = new Command("run", "Consume the stations' uplink (a RabbitMQ quorum queue bound to amq.topic, shared by " +
            "every receiver, or PREFIX/# from a single MQTT broker under a persistent session) and write it to PostgreSQL, acknowledging each message only after its row is committed.");
        var config = ConfigOption();
        run.Options.Add(config);
        run.SetAction((parse, ct) => RunAsync(parse.GetValue(config)!, parse.InvocationConfiguration.Error, ct));
        return run.WithExamples("edgegw hub run --config /etc/edge-hub/hub.yaml");
    }

    private static Command BuildStatus()
    {
        var status = new Command("status", "Show the fleet as PostgreSQL holds it: each station, online or not, last seen, last seq and open seq gaps.");
        var config = ConfigOption();
        var json = CommonOptions.Json();
        status.Options.Add(config);
        status.Options.Add(json);
        status.SetAction((parse, ct) => StatusAsync(parse.GetValue(config)!, parse.GetValue(json),
            parse.InvocationConfiguration.Output, parse.InvocationConfiguration.Error, ct));
        return status.WithExamples("edgegw hub status --config hub.yaml", "edgegw hub status --config hub.yaml --json");
    }

    private static HubOptions? Load(string path, TextWriter error)
    {
        var (options, errors) = HubConfigLoader.Load(path);
        foreach (var line in errors)
        {
            error.WriteLine(line);
        }

        return options;
    }

    private static async Task<int> RunAsync(string path, TextWriter error, CancellationToken ct)
    {
        if (Load(path, error) is not { } options)
        {
            return ExitCodes.Usage;
        }

        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings
        {
            DisableDefaults = true,
            ApplicationName = "edgegw-hub",
            ContentRootPath = AppContext.BaseDirectory,
        });
        builder.Configuration.AddEnvironmentVariables("EDGEGW_");
        builder.Logging.AddConfiguration(builder.Configuration.GetSection("Logging"));
        builder.Logging.AddSimpleConsole(o =>
        {
            o.SingleLine = true;
            o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ ";
            o.UseUtcTimestamp = true;
        });
        builder.Services.AddSystemd();
        builder.Services.AddHub(options);
        using var host = builder.Build();
        try
        {
            await host.RunAsync(ct).ConfigureAwait(false);
            return ExitCodes.Success;
        }
        catch (NpgsqlException e)
        {
            await error.WriteLineAsync($"edgegw hub run: PostgreSQL: {e.Message}").ConfigureAwait(false);
            return ExitCodes.Failure;
        }
    }

    private static async Task<int> StatusAsync(string path, bool json, TextWriter output, TextWriter error, CancellationToken ct)
    {
        if (Load(path, error) is not { } options)
        {
            return ExitCodes.Usage;
        }

        IReadOnlyList<StationView> stations;
        try
        {
            await using var db = NpgsqlDataSource.Create(options.Postgres);
            stations = await HubStatus.ReadAsync(db, ct).ConfigureAwait(false);
        }
        catch (NpgsqlException e)
        {
            await error.WriteLineAsync($"edgegw hub status: PostgreSQL: {e.Message}").ConfigureAwait(false);
            return ExitCodes.Failure;
        }

        if (json)
        {
            await output.WriteLineAsync(HubStatus.ToJson(stations)).ConfigureAwait(false);
            return ExitCodes.Success;
        }

        var inv = CultureInfo.InvariantCulture;
        await output.WriteLineAsync(string.Create(inv, $"{stations.Count} station(s), {stations.Count(s => s.State == "online")} online")).ConfigureAwait(false);
        foreach (var s in stations)
        {
            var gaps = s.Gaps.Count == 0 ? "no gaps" : "gaps " + string.Join(", ", s.Gaps.Select(g => g.From == g.To ? $"{g.From}" : $"{g.From}-{g.To}"));
            await output.WriteLineAsync(string.Create(inv,
                $"{s.Id,-28} {s.State,-8} last seen {s.LastSeen?.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", inv) ?? "never",-20} last seq {s.LastSeq?.ToString(inv) ?? "-",-8} {gaps}")).ConfigureAwait(false);
        }

        return ExitCodes.Success;
    }
}
