using EdgeGateway.Acquisition.History;
using System.Globalization;
using EdgeGateway.Configuration;
using EdgeGateway.Core.Alerting;
using EdgeGateway.Core.Readings;
using EdgeGateway.Hosting.Pipeline;
using EdgeGateway.Hosting.Reload;
using EdgeGateway.Uplink.Sl651;
using Microsoft.Extensions.DependencyInjection;

namespace EdgeGateway.Hosting;

/// <summary>Maps <c>uplink.sl651</c> onto the SL 651 station's own options and wires it to the pipeline.</summary>
public static class Sl651Mapping
{
    // 1F counts from 08:00 local: at most a day, and an hour's margin.
    private static readonly TimeSpan RainHistory = TimeSpan.FromHours(25);

    /// <summary>
    /// Adds the SL 651 remote station when the file has <c>uplink.sl651</c>: it is told of readings and level
    /// changes by the pipeline. Its settings take effect at a restart (the reload leaves it as it is).
    /// </summary>
    public static IServiceCollection AddSl651(this IServiceCollection services, StationConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        services.AddSingleton<IConfigApplier>(new Sl651Applier(mqttLive: UplinkMapping.FromConfig(config) is not null));
        if (FromConfig(config) is not { } options)
        {
            return services;
        }

        // Only the rain sensors' readings: the rest of the history is the rule engine's to load.
        var rain = options.Elements.Where(e => e.Source != Sl651Source.Value).Select(e => e.Sensor).ToHashSet(StringComparer.Ordinal);
        services.AddSl651Station(options, sp => sp.GetService<ReadingHistory>() is { } history && rain.Count > 0
            ? () => history.LoadRecent(RainHistory, rain).Values.SelectMany(r => r)
            : null);
        services.AddSingleton(sp => new Sl651Bridge(sp.GetRequiredService<Sl651Station>()));
        services.AddSingleton<IAlertObserver>(sp => sp.GetRequiredService<Sl651Bridge>());
        services.AddSingleton<IReadingObserver>(sp => sp.GetRequiredService<Sl651Bridge>());
        return services;
    }

    /// <summary>The station's options for <paramref name="config"/>, or null without <c>uplink.sl651</c>.</summary>
    public static Sl651Options? FromConfig(StationConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        if (config.Uplink?.Sl651 is not { } s)
        {
            return null;
        }

        var options = Timing(s);
        options.Centre = s.Centre is { } centre ? (byte)centre : options.Centre;
        options.Station = s.Station;
        options.Password = ushort.Parse(s.Password, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture);
        options.StationType = Sl651Names.StationTypes[s.StationType];
        options.StoragePath = config.Storage.Path;
        options.TimeZone = config.Station.Timezone is { } zone ? TimeZoneInfo.FindSystemTimeZoneById(zone) : TimeZoneInfo.Utc;
        foreach (var c in s.Centres)
        {
            options.Centres.Add(new Sl651CentreAddress(c.Host, c.Port));
        }

        foreach (var e in s.Elements)
        {
            // Validated: every element parses and is supported.
            if (!Sl651Names.TryParseElement(e.Element, out var id))
            {
                throw new InvalidOperationException($"uplink.sl651: element '{e.Element}' was not validated");
            }

            options.Elements.Add(new Sl651ElementSource(e.Sensor, id, Sl651Names.Supported[id].Source));
        }

        return options;
    }

    /// <summary>
    /// Options with the report timing of <paramref name="s"/> (<c>timed</c>, <c>keepAlive</c>); what the file leaves
    /// out keeps the options' own default. The rest is filled in by <see cref="FromConfig"/> from a valid file.
    /// </summary>
    public static Sl651Options Timing(Sl651Section s)
    {
        ArgumentNullException.ThrowIfNull(s);
        var options = new Sl651Options();
        options.Timed = s.Timed ?? options.Timed;
        options.KeepAlive = s.KeepAlive ?? options.KeepAlive;
        return options;
    }

    /// <summary>
    /// Refuses a changed <c>uplink.sl651</c> so that <c>uplink</c> is reported as waiting for the restart: the
    /// station's serials, queue and schedule are not rebuilt under a running link. Without a running MQTT uplink
    /// (whose applier takes the rest of the section live) any change of <c>uplink</c> is refused alike.
    /// </summary>
    private sealed class Sl651Applier(bool mqttLive) : IConfigApplier
    {
        public string Name => "sl651";

        public IReadOnlyCollection<string> Sections { get; } = ["uplink"];

        public Task ApplyAsync(StationConfig previous, StationConfig current, CancellationToken cancellationToken)
        {
            ArgumentNullException.ThrowIfNull(previous);
            ArgumentNullException.ThrowIfNull(current);
            if (!ConfigSections.Same(previous.Uplink?.Sl651, current.Uplink?.Sl651))
            {
                throw new InvalidOperationException("uplink.sl651 changes take effect at the next restart");
            }

            return mqttLive || ConfigSections.Same(previous.Uplink, current.Uplink)
                ? Task.CompletedTask
                : throw new InvalidOperationException("uplink changes take effect at the next restart (no MQTT uplink was running)");
        }
    }

    private sealed class Sl651Bridge(Sl651Station station) : IAlertObserver, IReadingObserver
    {
        public void OnTransitions(IReadOnlyList<LevelTransition> transitions) => station.OnTransitions(transitions);

        public void OnReadings(IReadOnlyList<Reading> readings) => station.OnReadings(readings);
    }
}
