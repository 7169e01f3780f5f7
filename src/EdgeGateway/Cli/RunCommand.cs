using System.CommandLine;
using EdgeGateway.Configuration;
using EdgeGateway.Hosting;
using Microsoft.Extensions.Hosting;

namespace EdgeGateway.Cli;

/// <summary><c>edgegw run [--config FILE]</c>: the service systemd runs.</summary>
public static class RunCommand
{
    public static Command Build()
    {
        var run = new Command(
            "run",
            "Run the station service until stopped (SIGTERM or Ctrl+C). An invalid configuration is refused: " +
            "its problems go to stderr and the exit code is 2.");
        var configOption = CommonOptions.Config();
        var logLevel = CommonOptions.LogLevel("default: station.yaml's logging.level, else info");
        run.Options.Add(configOption);
        run.Options.Add(logLevel);

        // Synchronous on purpose: System.CommandLine gives an asynchronous action a SIGTERM handler that
        // forces exit code 143 two seconds after the signal. The host owns SIGTERM instead and stops every
        // service within its own shutdown timeout (relays released, outbox flushed), then exits 0.
        run.SetAction(parse =>
        {
            var path = parse.GetValue(configOption) ?? StationConfigLoader.DefaultPath;
            var error = parse.InvocationConfiguration.Error;
            var loaded = StationConfigLoader.Load(path);
            if (!loaded.IsValid)
            {
                foreach (var line in loaded.ErrorLines())
                {
                    error.WriteLine(line);
                }

                error.WriteLine($"edgegw: {path}: {loaded.ErrorCount} problem(s); not starting");
                return ExitCodes.Usage;
            }

            var config = loaded.Config!;
            try
            {
                // A fresh install may not have its data directory yet (systemd's StateDirectory= makes it
                // under the unit; on a bench nothing does).
                Directory.CreateDirectory(config.Storage.Path);
                using var host = StationHost.CreateBuilder(config, path, [.. parse.UnmatchedTokens], CommonOptions.LogLevelOf(parse, logLevel)).Build();
                host.Run();
                return ExitCodes.Success;
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                // The host has logged the details; the technician gets one line on stderr and exit code 1.
                error.WriteLine($"edgegw: the station could not run: {e.GetType().Name}: {e.Message}");
                return ExitCodes.Failure;
            }
        });
        return run.WithExamples(
            "edgegw run",
            "edgegw run --config station.yaml --log-level warning");
    }
}
