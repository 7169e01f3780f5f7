using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using System.Xml;
using System.Xml.Linq;
using MQTTnet;
using MQTTnet.Exceptions;
using MQTTnet.Protocol;

namespace EdgeGateway.Demo;

/// <summary>What kind of station message arrived, from the last segments of its topic.</summary>
public enum HubMessageKind
{
    Status,
    Telemetry,
    Alert,
    AlertCap,
    Event,
    CommandResult,
    Other,
}

/// <summary>
/// One message as the hub received it. <see cref="Json"/> is null for CAP (XML) and for bad JSON; a CAP
/// document's <c>identifier</c> and <c>seq</c> parameter are in <see cref="CapIdentifier"/> and <see cref="CapSeq"/>.
/// </summary>
public sealed record HubMessage(string Topic, HubMessageKind Kind, bool Retained, string Payload, JsonObject? Json, DateTimeOffset ReceivedAt)
{
    public string? CapIdentifier { get; init; }

    public long? CapSeq { get; init; }

    public string? Id => Json?["id"]?.GetValue<string>() ?? CapIdentifier;

    public long? Seq => Json?["seq"] is JsonValue v && v.TryGetValue<long>(out var seq) ? seq : CapSeq;
}

/// <summary>
/// The hub's side of a station's uplink: an MQTT client subscribed (QoS 1) to everything one station
/// publishes (or, with the station <c>+</c>, every station), keeping every message in arrival order. The demo's
/// live view counts from it; the end-to-end tests check delivery against it (once per id, seq order, retained status).
/// </summary>
public sealed class HubMonitor : IAsyncDisposable
{
    private readonly Lock _gate = new();
    private readonly List<HubMessage> _messages = [];
    private readonly IMqttClient _client;
    private readonly string _stationTopic;
    private readonly string _prefixTopic;
    private readonly TimeProvider _time;
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private HubMonitor(IMqttClient client, string prefix, string stationId, TimeProvider time)
    {
        _client = client;
        _stationTopic = $"{prefix}/{stationId}/";
        _prefixTopic = $"{prefix}/";
        _time = time;
        _client.ApplicationMessageReceivedAsync += e =>
        {
            Record(e.ApplicationMessage);
            return Task.CompletedTask;
        };
    }

    /// <summary>Connects to the broker and subscribes to <c>prefix/station/#</c>.</summary>
    public static async Task<HubMonitor> ConnectAsync(string host, int port, string prefix, string stationId,
        TimeProvider? time, CancellationToken cancellationToken)
    {
        var client = new MqttClientFactory().CreateMqttClient();
        var monitor = new HubMonitor(client, prefix, stationId, time ?? TimeProvider.System);
        try
        {
            var options = new MqttClientOptionsBuilder()
                .WithTcpServer(host, port)
                .WithClientId($"hub-monitor-{Guid.NewGuid():N}")
                .WithCleanSession()
                .Build();
            await client.ConnectAsync(options, cancellationToken).ConfigureAwait(false);
            var subscribe = new MqttClientSubscribeOptionsBuilder()
                .WithTopicFilter(f => f.WithTopic($"{prefix}/{stationId}/#").WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce))
                .Build();
            await client.SubscribeAsync(subscribe, cancellationToken).ConfigureAwait(false);
            return monitor;
        }
        catch
        {
            client.Dispose();
            throw;
        }
    }

    /// <summary>Every message so far, in arrival order.</summary>
    public IReadOnlyList<HubMessage> Messages
    {
        get
        {
            lock (_gate)
            {
                return [.. _messages];
            }
        }
    }

    public IReadOnlyList<HubMessage> OfKind(HubMessageKind kind) => [.. Messages.Where(m => m.Kind == kind)];

    /// <summary>Waits until <paramref name="condition"/> holds over the messages received, or throws on timeout.</summary>
    public async Task WaitUntilAsync(Func<IReadOnlyList<HubMessage>, bool> condition, TimeSpan timeout, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(condition);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        while (true)
        {
            Task changed;
            lock (_gate)
            {
                changed = _changed.Task;
            }

            if (condition(Messages))
            {
                return;
            }

            try
            {
                await changed.WaitAsync(deadline.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                throw new TimeoutException($"The hub did not see the expected messages within {timeout}.");
            }
        }
    }

    /// <summary>Classifies a topic under <c>P/S/</c>.</summary>
    public static HubMessageKind Classify(string relativeTopic) => relativeTopic switch
    {
        "status" => HubMessageKind.Status,
        "telemetry" => HubMessageKind.Telemetry,
        "alert" => HubMessageKind.Alert,
        "alert/cap" => HubMessageKind.AlertCap,
        "event" => HubMessageKind.Event,
        "cmd/result" => HubMessageKind.CommandResult,
        _ => HubMessageKind.Other,
    };

    private void Record(MqttApplicationMessage message)
    {
        var payload = Encoding.UTF8.GetString(message.Payload.ToArray());
        var kind = Classify(Relative(message.Topic));
        JsonObject? json = null;
        if (kind != HubMessageKind.AlertCap)
        {
            try
            {
                json = JsonNode.Parse(payload) as JsonObject;
            }
            catch (System.Text.Json.JsonException)
            {
                // Kept with Json = null: a station sending bad JSON is what a hub must notice.
            }
        }

        var received = new HubMessage(message.Topic, kind, message.Retain, payload, json, _time.GetUtcNow());
        if (kind == HubMessageKind.AlertCap)
        {
            received = WithCapFields(received);
        }

        TaskCompletionSource changed;
        lock (_gate)
        {
            _messages.Add(received);
            changed = _changed;
            _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        changed.TrySetResult();
    }

    // What follows P/S/, whichever station S is (the subscription may be to all of them).
    private string Relative(string topic)
    {
        if (topic.StartsWith(_stationTopic, StringComparison.Ordinal))
        {
            return topic[_stationTopic.Length..];
        }

        var station = topic.StartsWith(_prefixTopic, StringComparison.Ordinal) ? topic.IndexOf('/', _prefixTopic.Length) : -1;
        return station < 0 ? topic : topic[(station + 1)..];
    }

    /// <summary>CAP carries its id as <c>identifier</c> and the station's seq as the parameter named <c>seq</c>.</summary>
    private static HubMessage WithCapFields(HubMessage message)
    {
        try
        {
            var document = XDocument.Parse(message.Payload);
            XNamespace cap = "urn:oasis:names:tc:emergency:cap:1.2";
            var seqText = document.Descendants(cap + "parameter")
                .FirstOrDefault(p => (string?)p.Element(cap + "valueName") == "seq")?.Element(cap + "value")?.Value;
            return message with
            {
                CapIdentifier = document.Root?.Element(cap + "identifier")?.Value,
                CapSeq = long.TryParse(seqText, NumberStyles.None, CultureInfo.InvariantCulture, out var seq) ? seq : null,
            };
        }
        catch (XmlException)
        {
            // Kept without id and seq: a hub must notice a CAP document it cannot read.
            return message;
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (_client.IsConnected)
            {
                await _client.DisconnectAsync().ConfigureAwait(false);
            }
        }
        catch (MqttCommunicationException)
        {
            // The broker may already be gone when the demo shuts down.
        }
        finally
        {
            _client.Dispose();
        }
    }
}
