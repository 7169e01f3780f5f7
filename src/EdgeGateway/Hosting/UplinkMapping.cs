using EdgeGateway.Configuration;
using EdgeGateway.Core.Alerting;
using EdgeGateway.Hosting.Reload;
using EdgeGateway.Uplink;
using EdgeGateway.Uplink.Mqtt;
using Microsoft.Extensions.DependencyInjection;

namespace EdgeGateway.Hosting;

/// <summary>Maps the station.yaml model onto the uplink's own options.</summary>
public static class UplinkMapping
{
    /// <summary>
    /// Adds the applier that puts a reloaded <c>uplink</c> section into force in the running uplink (reconnecting
    /// when the broker or credentials changed). Call after <see cref="UplinkServiceCollectionExtensions.AddUplink"/>.
    /// </summary>
    public static IServiceCollection AddUplinkApplier(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddSingleton<IConfigApplier>(sp => new UplinkApplier(sp.GetRequiredService<UplinkService>()));
        return services;
    }

    /// <summary>
    /// The uplink options for <paramref name="config"/>, or null when it has no <c>uplink.mqtt</c> section.
    /// <paramref name="levels"/>: the station's levels built once at start (<see cref="LevelMapping.Levels"/>); null:
    /// built from <paramref name="config"/>.
    /// </summary>
    public static UplinkOptions? FromConfig(StationConfig config, AlertLevels? levels = null)
    {
        ArgumentNullException.ThrowIfNull(config);
        if (config.Uplink?.Mqtt is not { } mqtt)
        {
            return null;
        }

        var options = new UplinkOptions
        {
            StationId = config.Station.Id,
            StationName = config.Station.Name,
            StoragePath = config.Storage.Path,
            CommandKeyFile = config.Uplink.CommandKey,
            AllClearCap = LevelMapping.Texts(config.Alerting.AllClearCap),
            Levels = levels ?? LevelMapping.Levels(config),
            Mqtt = Connection(mqtt),
        };
        // What the file leaves out keeps the options' own default.
        options.QueueLimit = config.Storage.QueueLimit ?? options.QueueLimit;
        options.Language = config.Station.Language ?? options.Language;
        options.TelemetryPeriod = config.Uplink.Telemetry ?? options.TelemetryPeriod;

        foreach (var sensor in config.Sensors)
        {
            if (sensor.Unit is { } unit)
            {
                options.SensorUnits[sensor.Id] = unit;
            }
        }

        return options;
    }

    /// <summary>The connection to the broker (<c>uplink.mqtt</c>); what the file leaves out keeps the options' own default.</summary>
    public static MqttConnectionOptions Connection(MqttSection mqtt)
    {
        ArgumentNullException.ThrowIfNull(mqtt);
        var connection = new MqttConnectionOptions
        {
            Host = mqtt.Host,
            Username = mqtt.Username,
            PasswordFile = mqtt.PasswordFile,
            Tls = mqtt.Tls is { } tls
                ? new TlsOptions { CaFile = tls.Ca, CertFile = tls.Cert, KeyFile = tls.Key }
                : null,
        };
        connection.Port = mqtt.Port ?? connection.Port;
        connection.Prefix = mqtt.Prefix ?? connection.Prefix;
        connection.Protocol = mqtt.Protocol is { } protocol ? (protocol == "3.1.1" ? MqttProtocol.V311 : MqttProtocol.V5) : connection.Protocol;
        connection.KeepAlive = mqtt.KeepAlive ?? connection.KeepAlive;
        foreach (var entry in mqtt.Hosts ?? [])
        {
            connection.Hosts.Add(new MqttEndpoint(entry.Host, entry.Port));
        }

        return connection;
    }
}
