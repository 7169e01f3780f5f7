using System.Reflection;
using EdgeGateway.Configuration;
using EdgeGateway.Control;
using EdgeGateway.Broadcast;
using EdgeGateway.Hosting.Events;
using EdgeGateway.Hosting.Footprint;
using EdgeGateway.Hosting.Health;
using EdgeGateway.Hosting.Logging;
using EdgeGateway.Hosting.Pipeline;
using EdgeGateway.Hosting.Reload;
using EdgeGateway.Hosting.Watchdog;
using EdgeGateway.Uplink;
using EdgeGateway.Uplink.Commands;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;

namespace EdgeGateway.Hosting;

/// <summary>
/// Composes the station service. Each subsystem adds itself to the builder this returns with one
/// <c>builder.Services.AddXxx(config)</c> line.
/// </summary>
public static class StationHost
{
    /// <summary>How long stopping may take before the host gives up on a service.</summary>
    public static readonly TimeSpan ShutdownTimeout = TimeSpan.FromSeconds(20);

    /// <summary>The informational version of <c>edgegw</c> (what <c>--version</c> prints).</summary>
    public static string Version { get; } =
        typeof(StationHost).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.0.0";

    /// <param name="config">A configuration that loaded and validated without errors.</param>
    /// <param name="configPath">The file it came from (for logs and reloads).</param>
    /// <param name="args">Extra host arguments (configuration overrides such as Logging:LogLevel:Default=Debug).</param>
    /// <param name="logLevel">The <c>--log-level</c> given on the command line; station.yaml's <c>logging.level</c> otherwise.</param>
    public static HostApplicationBuilder CreateBuilder(StationConfig config, string configPath, string[] args, StationLogLevel? logLevel = null)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(configPath);

        // No defaults: they would read appsettings.json from the working directory (/ under systemd)
        // and watch it for changes. The station's settings are station.yaml; only logging is tunable,
        // through EDGEGW_-prefixed variables (EDGEGW_Logging__LogLevel__Default=Debug) or arguments.
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings
        {
            Args = args,
            DisableDefaults = true,
            ApplicationName = "edgegw",
            ContentRootPath = AppContext.BaseDirectory,
        });
        builder.Configuration.AddEnvironmentVariables("EDGEGW_");
        builder.Configuration.AddCommandLine(args);

        AddStationLogging(builder.Logging, builder.Configuration, logLevel ?? config.Logging.Level);

        // Under systemd: READY=1 and STOPPING=1. Its journald formatter is replaced by ours below.
        builder.Services.AddSystemd();
        builder.Services.Configure<ConsoleLoggerOptions>(o => o.FormatterName = StationConsoleFormatter.FormatterName);
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = ShutdownTimeout);

        builder.Services.AddSingleton(config);
        builder.Services.AddSingleton(new StationConfigFile(configPath));
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddHostedService<StationLifecycleLog>();
        builder.Services.AddHostedService<StartupTrim>();

        // The station: sensors -> pipeline (rules) -> broadcaster and uplink; the CLI through the socket.
        builder.Services.AddStationWatchdog();
        builder.Services.AddConfigReload(config, configPath);
        builder.Services.AddStationHealth(config);
        // One level list from the station file to every consumer: rules and pipeline, broadcaster, uplink or record.
        var levels = LevelMapping.Levels(config);
        builder.Services.AddSingleton(levels);
        builder.Services.AddStationPipeline(config, levels);
        builder.Services.AddStationAcquisition(config);
        builder.Services.AddBroadcast(config, levels);
        if (UplinkMapping.FromConfig(config, levels) is { } uplink)
        {
            builder.Services.AddSingleton<ICommandHandler>(sp => new StationCommandHandler(
                sp.GetRequiredService<StationPipeline>, sp.GetService<BroadcastController>));
            builder.Services.AddUplink(uplink).AddUplinkApplier();
        }
        else
        {
            builder.Services.AddStandaloneRecord(config, levels);
        }

        builder.Services.AddSl651(config);

        builder.Services.AddSingleton<IControlVerb, AlertClearVerb>();
        builder.Services.AddSingleton<IControlVerb>(sp => new EventsVerb(
            sp.GetService<Uplink.Mqtt.UplinkService>()?.Record ?? sp.GetService<Uplink.Record.StandaloneRecord>()?.Record, sp.GetRequiredService<TimeProvider>()));
        builder.Services.AddControlSocket(config);
        return builder;
    }

    /// <summary>
    /// The service's log: one line per event with a short category, at <paramref name="level"/> and above; the
    /// framework only from warning up (no "Content root path" at start); lines for journald (syslog priority
    /// prefixes, so <c>journalctl -p warning</c> shows alarms, faults and failures) when systemd connects
    /// standard output to the journal. EDGEGW_Logging__LogLevel__CATEGORY variables still override per category.
    /// </summary>
    public static void AddStationLogging(ILoggingBuilder logging, IConfiguration configuration, StationLogLevel level)
    {
        ArgumentNullException.ThrowIfNull(logging);
        ArgumentNullException.ThrowIfNull(configuration);
        var minimum = ToLogLevel(level);
        logging.SetMinimumLevel(minimum);
        logging.AddFilter("Microsoft", minimum > LogLevel.Warning ? minimum : LogLevel.Warning);
        logging.AddFilter("System", minimum > LogLevel.Warning ? minimum : LogLevel.Warning);
        logging.AddConfiguration(configuration.GetSection("Logging"));
        logging.AddConsole(o => o.FormatterName = StationConsoleFormatter.FormatterName);
        // Registered by hand: AddConsoleFormatter binds its options from configuration, which trimming breaks.
        logging.Services.TryAddEnumerable(ServiceDescriptor.Singleton<ConsoleFormatter, StationConsoleFormatter>());
        logging.Services.TryAddSingleton(TimeProvider.System);
        logging.Services.Configure<StationConsoleFormatterOptions>(o =>
        {
            o.Journal = StationConsoleFormatter.ToJournal();
            o.UseUtcTimestamp = true;
            o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ ";
        });
    }

    public static LogLevel ToLogLevel(StationLogLevel level) => level switch
    {
        StationLogLevel.Trace => LogLevel.Trace,
        StationLogLevel.Debug => LogLevel.Debug,
        StationLogLevel.Warning => LogLevel.Warning,
        StationLogLevel.Error => LogLevel.Error,
        StationLogLevel.Critical => LogLevel.Critical,
        _ => LogLevel.Information,
    };
}

/// <summary>The file the running configuration was loaded from.</summary>
public sealed record StationConfigFile(string Path);
