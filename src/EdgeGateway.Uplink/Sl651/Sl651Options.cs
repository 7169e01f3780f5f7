using EdgeGateway.Core.Options;
using EdgeGateway.Sl651;

namespace EdgeGateway.Uplink.Sl651;

/// <summary>
/// The SL 651-2014 remote station (<c>uplink.sl651</c>) in its own terms; the host maps station.yaml onto it.
/// Defaults are the documented ones.
/// </summary>
public sealed class Sl651Options
{
    public static readonly TimeSpan DefaultTimed = TimeSpan.FromHours(1);
    public static readonly TimeSpan DefaultKeepAlive = TimeSpan.FromSeconds(40);

    /// <summary>Default <see cref="Centre"/>: centre station 1.</summary>
    public const byte DefaultCentre = 1;

    /// <summary>Tried in order; reports go to the first that accepts the connection.</summary>
    public IList<Sl651CentreAddress> Centres { get; } = [];

    /// <summary>Centre station address, 1-255.</summary>
    public byte Centre { get; set; } = DefaultCentre;

    /// <summary>Remote station address, 10 digits.</summary>
    public string Station { get; set; } = "";

    public ushort Password { get; set; }

    public Sl651StationType StationType { get; set; } = Sl651StationType.River;

    /// <summary>Timed report (32) period, aligned to the local clock.</summary>
    public TimeSpan Timed { get; set; } = DefaultTimed;

    /// <summary>Link keep-alive (2F) when no other frame went out for this long.</summary>
    public TimeSpan KeepAlive { get; set; } = DefaultKeepAlive;

    /// <summary>What reports carry, in this order.</summary>
    public IList<Sl651ElementSource> Elements { get; } = [];

    /// <summary>The station's zone: frames carry its local time.</summary>
    public TimeZoneInfo TimeZone { get; set; } = TimeZoneInfo.Utc;

    /// <summary>Directory of the report queue (storage.path).</summary>
    public string StoragePath { get; set; } = "/var/lib/edge-gateway";

    /// <summary>How long a centre has to confirm a report before the link is reset and the report sent again.</summary>
    public TimeSpan ConfirmTimeout { get; set; } = TimeSpan.FromSeconds(10);

    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(5);

    public ReconnectOptions Reconnect { get; set; } = new() { Min = TimeSpan.FromSeconds(1), Max = TimeSpan.FromMinutes(1) };

    /// <summary>
    /// Every problem of the station's own values, each naming its <c>uplink.sl651</c> key (a centre's port as
    /// <c>centres[i].port</c>).
    /// </summary>
    public IEnumerable<OptionProblem> Validate()
    {
        for (var i = 0; i < Centres.Count; i++)
        {
            if (OptionChecks.TcpPort(Centres[i].Port) is { } port)
            {
                yield return new($"centres[{i}].port", port);
            }
        }

        if (CentreProblem(Centre) is { } centre)
        {
            yield return new("centre", centre);
        }

        // Observation times are to the minute, so a period under a minute is for a bench only; it is allowed.
        if (OptionChecks.AtLeastOneSecond(Timed) is { } timed)
        {
            yield return new("timed", timed);
        }

        if (OptionChecks.AtLeastOneSecond(KeepAlive) is { } keepAlive)
        {
            yield return new("keepAlive", keepAlive);
        }
    }

    /// <summary>A centre address: 1-255 (one byte; 0 is no centre).</summary>
    public static string? CentreProblem(int centre) => centre is < 1 or > 255 ? $"{centre} is not a centre address (1-255)" : null;
}

/// <summary>A centre's TCP address.</summary>
public sealed record Sl651CentreAddress(string Host, int Port)
{
    public override string ToString() => $"{Host}:{Port}";
}

/// <summary>How an element's value comes from its sensor.</summary>
public enum Sl651Source
{
    /// <summary>The sensor's current engineering value.</summary>
    Value,

    /// <summary>A rain sensor's running total (26).</summary>
    RainTotal,

    /// <summary>A rain sensor's rainfall of the hour before the observation time (1A).</summary>
    RainLastHour,

    /// <summary>A rain sensor's rainfall since 08:00 local, the hydrological day's start (1F).</summary>
    RainToday,
}

/// <summary>One configured element: identifier and the sensor it is read from.</summary>
public sealed record Sl651ElementSource(string Sensor, ushort Element, Sl651Source Source);
