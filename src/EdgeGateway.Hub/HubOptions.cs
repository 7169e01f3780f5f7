namespace EdgeGateway.Hub;

/// <summary>hub.yaml: where the stations' uplink comes from and where it goes.</summary>
public sealed class HubOptions
{
    public const string DefaultPrefix = "ews";
    public const string DefaultQueue = "edge-hub";

    /// <summary>RabbitMQ (a quorum queue bound to amq.topic, shared by every receiver); or <see cref="Mqtt"/>.</summary>
    public AmqpOptions? Amqp { get; set; }

    /// <summary>A single MQTT broker (mosquitto); or <see cref="Amqp"/>.</summary>
    public HubMqttOptions? Mqtt { get; set; }

    /// <summary>The stations' uplink prefix (<c>uplink.mqtt.prefix</c>).</summary>
    public string Prefix { get; set; } = DefaultPrefix;

    /// <summary>Npgsql connection string.</summary>
    public string Postgres { get; set; } = "";

    /// <summary>Messages written (and acknowledged) in one transaction at most.</summary>
    public int BatchSize { get; set; } = 500;
}

public sealed class AmqpOptions
{
    /// <summary>The cluster's nodes as "host:port", tried in turn.</summary>
    public IList<(string Host, int Port)> Hosts { get; } = [];

    public string Username { get; set; } = "guest";

    public string? Password { get; set; }

    /// <summary>File holding the password (first line).</summary>
    public string? PasswordFile { get; set; }

    public string Queue { get; set; } = HubOptions.DefaultQueue;

    /// <summary>Unacknowledged deliveries one receiver holds at most (bounds its memory).</summary>
    public ushort Prefetch { get; set; } = 1000;

    /// <summary>Wait before reconnecting after a lost connection (the next node is tried).</summary>
    public TimeSpan ReconnectDelay { get; set; } = TimeSpan.FromSeconds(1);

    public string ResolvePassword() => Secret.Resolve(Password, PasswordFile) ?? "guest";
}

public sealed class HubMqttOptions
{
    /// <summary>Default <see cref="Port"/>: 8883, MQTT over TLS.</summary>
    public const int DefaultPort = 8883;

    public string Host { get; set; } = "";
    public int Port { get; set; } = DefaultPort;
    public string? Username { get; set; }
    public string? Password { get; set; }
    public string? PasswordFile { get; set; }
    public string? TlsCa { get; set; }

    /// <summary>
    /// The persistent session's identity at the broker: a restarted receiver must come back under the same
    /// id to be given what arrived while it was away.
    /// </summary>
    public string? ClientId { get; set; }

    /// <summary>First wait before reconnecting; doubled on each failed attempt up to <see cref="ReconnectMax"/>.</summary>
    public TimeSpan ReconnectDelay { get; set; } = TimeSpan.FromSeconds(1);

    public TimeSpan ReconnectMax { get; set; } = TimeSpan.FromSeconds(30);

    public string ResolveClientId() => ClientId ?? "edge-hub-" + Environment.MachineName.ToLowerInvariant();
}

internal static class Secret
{
    /// <summary>The password given inline, or the first line of the file that holds it.</summary>
    public static string? Resolve(string? password, string? passwordFile)
    {
        if (passwordFile is null)
        {
            return password;
        }

        var text = File.ReadAllText(passwordFile);
        var newline = text.IndexOfAny(['\r', '\n']);
        return newline >= 0 ? text[..newline] : text;
    }
}
