using EdgeGateway.Core.Alerting;
using EdgeGateway.Core.Options;

namespace EdgeGateway.Uplink;

/// <summary>MQTT protocol level spoken to the broker.</summary>
public enum MqttProtocol
{
    V311,
    V5,
}

/// <summary>
/// Everything the uplink needs, in its own terms; the host maps station.yaml onto it. Defaults are the
/// documented ones.
/// </summary>
public sealed class UplinkOptions
{
    public const string DefaultPrefix = "ews";
    public const long DefaultQueueLimit = 256L * 1024 * 1024;

    /// <summary>The smallest <see cref="QueueLimit"/>: room for a storm's alerts and events beside some telemetry.</summary>
    public const long MinQueueLimit = 64 * 1024;

    /// <summary>Default <see cref="TelemetryPeriod"/>: 60 s.</summary>
    public static readonly TimeSpan DefaultTelemetryPeriod = TimeSpan.FromSeconds(60);

    /// <summary>CAP 1.2's own default for <c>info/language</c>.</summary>
    public const string DefaultLanguage = "en-US";

    /// <summary>station.id: the <c>S</c> of every topic and the <c>station</c> of every payload.</summary>
    public string StationId { get; set; } = "";

    /// <summary>station.name, used as the CAP senderName.</summary>
    public string? StationName { get; set; }

    /// <summary>Directory holding the outbox and command databases (storage.path).</summary>
    public string StoragePath { get; set; } = "/var/lib/edge-gateway";

    /// <summary>Outbox cap in bytes (storage.queueLimit): past it telemetry is dropped oldest first.</summary>
    public long QueueLimit { get; set; } = DefaultQueueLimit;

    public MqttConnectionOptions Mqtt { get; set; } = new();

    /// <summary>Reading batches and the status heartbeat; alerts, events and results go at once.</summary>
    public TimeSpan TelemetryPeriod { get; set; } = DefaultTelemetryPeriod;

    /// <summary>PEM file of the ECDSA P-256 public key that signs hub commands; null: commands refused.</summary>
    public string? CommandKeyFile { get; set; }

    /// <summary>Unit of each sensor, by sensor id, for telemetry payloads.</summary>
    public IDictionary<string, string> SensorUnits { get; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>The station's alert levels (its one <see cref="AlertLevels"/>), with their CAP terms and texts.</summary>
    public AlertLevels Levels { get; set; } = AlertLevels.Empty;

    /// <summary>station.language: the CAP <c>info/language</c> of the configured texts (BCP 47).</summary>
    public string Language { get; set; } = DefaultLanguage;

    /// <summary>alerting.allClear.cap: the texts of the CAP document on return to none; null: English.</summary>
    public CapTexts? AllClearCap { get; set; }

    public OutboxTuning Outbox { get; set; } = new();

    public ReconnectOptions Reconnect { get; set; } = new();

    /// <summary>
    /// Every problem of the uplink's own values, each naming its station.yaml key (<c>queueLimit</c> is
    /// <c>storage.queueLimit</c>, <c>telemetry</c> is <c>uplink.telemetry</c>, the rest are <c>uplink.mqtt</c>'s).
    /// </summary>
    public IEnumerable<OptionProblem> Validate()
    {
        if (QueueLimitProblem(QueueLimit) is { } limit)
        {
            yield return new("queueLimit", limit);
        }

        if (OptionChecks.Positive(TelemetryPeriod) is { } telemetry)
        {
            yield return new("telemetry", telemetry);
        }

        foreach (var problem in Mqtt.Validate())
        {
            yield return problem;
        }
    }

    public static string? QueueLimitProblem(long queueLimit) => queueLimit < MinQueueLimit ? "the outbox needs at least 64KB" : null;
}

/// <summary>One broker of a cluster.</summary>
public sealed record MqttEndpoint(string Host, int Port);

public sealed class MqttConnectionOptions
{
    /// <summary>Default <see cref="Port"/>: 8883, MQTT over TLS.</summary>
    public const int DefaultPort = 8883;

    /// <summary>Default <see cref="KeepAlive"/>: 30 s.</summary>
    public static readonly TimeSpan DefaultKeepAlive = TimeSpan.FromSeconds(30);

    public string Host { get; set; } = "";
    public int Port { get; set; } = DefaultPort;

    /// <summary>
    /// The brokers of one cluster, tried in turn (a refused or dropped connection moves to the next); when
    /// empty, <see cref="Host"/> and <see cref="Port"/> name the only broker.
    /// </summary>
    public IList<MqttEndpoint> Hosts { get; } = [];

    /// <summary>The brokers to try, in order.</summary>
    public IReadOnlyList<MqttEndpoint> Endpoints() => Hosts.Count > 0 ? [.. Hosts] : [new MqttEndpoint(Host, Port)];
    public string Prefix { get; set; } = UplinkOptions.DefaultPrefix;
    public MqttProtocol Protocol { get; set; } = MqttProtocol.V5;
    public TimeSpan KeepAlive { get; set; } = DefaultKeepAlive;
    public string? Username { get; set; }

    /// <summary>File holding the password (first line; trailing newline ignored).</summary>
    public string? PasswordFile { get; set; }

    /// <summary>Null: plain TCP (only for a broker on the station itself or a test bench).</summary>
    public TlsOptions? Tls { get; set; }

    /// <summary>Connect (TCP + TLS + CONNACK) timeout.</summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>QoS 1 publishes awaiting PUBACK at once (lowered to the broker's Receive Maximum).</summary>
    public int MaxInflight { get; set; } = 32;

    /// <summary>Every problem of the connection's own values, each naming its <c>uplink.mqtt</c> key.</summary>
    public IEnumerable<OptionProblem> Validate()
    {
        if (OptionChecks.TcpPort(Port) is { } port)
        {
            yield return new("port", port);
        }

        if (PrefixProblem(Prefix) is { } prefix)
        {
            yield return new("prefix", prefix);
        }

        if (OptionChecks.AtLeastOneSecond(KeepAlive) is { } keepAlive)
        {
            yield return new("keepAlive", keepAlive);
        }
    }

    /// <summary>A topic prefix: no wildcard, no space, no '/' at either end (topics are <c>P/S/...</c>).</summary>
    public static string? PrefixProblem(string prefix)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        return prefix.Length == 0 || prefix.IndexOfAny(['+', '#', ' ']) >= 0 || prefix.StartsWith('/') || prefix.EndsWith('/')
            ? $"'{prefix}' is not a topic prefix: no '+', '#' or spaces, and no '/' at either end"
            : null;
    }
}

public sealed class TlsOptions
{
    /// <summary>PEM file of the private CA that signs the hub's certificate (the only trust anchor).</summary>
    public string? CaFile { get; set; }

    /// <summary>Optional client certificate (PEM) and its key (PEM).</summary>
    public string? CertFile { get; set; }

    public string? KeyFile { get; set; }

    /// <summary>Server name to verify; defaults to the host.</summary>
    public string? ServerName { get; set; }
}

/// <summary>How hard the outbox works the storage.</summary>
public sealed class OutboxTuning
{
    /// <summary>Telemetry waits in memory at most this long before it is written (and so published).</summary>
    public TimeSpan TelemetryFlushInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Telemetry messages written in one transaction at most.</summary>
    public int TelemetryFlushCount { get; set; } = 64;

    /// <summary>Acknowledged telemetry is deleted in batches of this many rows (or after <see cref="AckDeleteInterval"/>).</summary>
    public int AckDeleteBatch { get; set; } = 512;

    public TimeSpan AckDeleteInterval { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>
    /// Seqs reserved per fsync'd write of the high-water mark; a restart after kill -9 or a power cut skips
    /// at most this many (announced by a <c>seq-skipped</c> event). A new block is reserved when half is used.
    /// </summary>
    public int SeqBlock { get; set; } = 1000;

    /// <summary>
    /// While the disk refuses writes, unsaved messages wait in memory up to this many bytes; past it the oldest
    /// unsaved telemetry is dropped (a <c>telemetry-dropped</c> event says which seqs). Alerts, events and
    /// command results are kept whatever their size.
    /// </summary>
    public long UnsavedLimit { get; set; } = 2 * 1024 * 1024;

    /// <summary>While the disk refuses writes, how often the housekeeping tick tries again (every new message also does).</summary>
    public TimeSpan RetryInterval { get; set; } = TimeSpan.FromSeconds(5);
}

/// <summary>Reconnect backoff: jittered exponential between <see cref="Min"/> and <see cref="Max"/>.</summary>
public sealed class ReconnectOptions
{
    public TimeSpan Min { get; set; } = TimeSpan.FromSeconds(1);
    public TimeSpan Max { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Delay after the broker refused our credentials (they will not fix themselves quickly).</summary>
    public TimeSpan AuthFailure { get; set; } = TimeSpan.FromMinutes(5);
}
