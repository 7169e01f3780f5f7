using System.Reflection;
using EdgeGateway.Configuration;
using EdgeGateway.Control;
using EdgeGateway.Hardware.Broadcast;
using EdgeGateway.Hosting.Health;
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
    public static HostApplicationBuilder CreateBuilder(StationConfig config, string configPath, string[] args)
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

        builder.Logging.AddConfiguration(builder.Configuration.GetSection("Logging"));
        builder.Logging.AddSimpleConsole(o =>
        {
            o.SingleLine = true;
            o.UseUtcTimestamp = true;
            o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ ";
        });

        // Under systemd: journald-formatted console lines (priority prefixes), READY=1 and STOPPING=1.
        // Registered after the console so its formatter wins there; on a terminal nothing changes.
        builder.Services.AddSystemd();
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = ShutdownTimeout);

        builder.Services.AddSingleton(config);
        builder.Services.AddSingleton(new StationConfigFile(configPath));
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddHostedService<StationLifecycleLog>();

        // The station: sensors -> pipeline (rules) -> broadcaster and uplink; the CLI through the socket.
        builder.Services.AddStationWatchdog();
        builder.Services.AddConfigReload(config, configPath);
        builder.Services.AddStationHealth(config);
        builder.Services.AddStationPipeline(config);
        builder.Services.AddStationAcquisition(config);
        builder.Services.AddBroadcast(config);
        if (UplinkMapping.FromConfig(config) is { } uplink)
        {
            builder.Services.AddSingleton<ICommandHandler>(sp => new StationCommandHandler(
                sp.GetRequiredService<StationPipeline>, sp.GetService<BroadcastController>));
            builder.Services.AddUplink(uplink).AddUplinkApplier();
        }

        builder.Services.AddSl651(config);

        builder.Services.AddSingleton<IControlVerb, AlertClearVerb>();
        builder.Services.AddSingleton<IControlVerb>(sp => new Events.EventsVerb(sp.GetService<Uplink.Mqtt.UplinkService>(), sp.GetRequiredService<TimeProvider>()));
        builder.Services.AddControlSocket(config);
        return builder;
    }
}

/// <summary>The file the running configuration was loaded from.</summary>
public sealed record StationConfigFile(string Path);
