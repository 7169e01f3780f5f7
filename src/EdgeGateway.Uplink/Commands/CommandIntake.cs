using System.Security.Cryptography;
using System.Text;
using System.Threading.Channels;
using EdgeGateway.Core.Events;
using EdgeGateway.Uplink.Internal;
using EdgeGateway.Uplink.Mqtt.Wire;
using EdgeGateway.Uplink.Mqtt;

namespace EdgeGateway.Uplink.Commands;

/// <summary>
/// Commands from the hub: received off the client's receive loop into a bounded queue, judged by the
/// <see cref="CommandGate"/> one at a time, handed to the station's handler, audited as events and answered
/// on <c>P/S/cmd/result</c>. Also loads the gate's key, and reports a key that cannot be used.
/// </summary>
internal sealed class CommandIntake : IDisposable
{
    /// <summary>Commands waiting to be judged; past this the oldest is dropped and answered <c>overloaded</c>.</summary>
    public const int QueueCapacity = 64;

    private const string ClockNote = "clock-implausible";

    private readonly UplinkContext _context;
    private readonly MessageProducer _producer;
    private readonly StatusPublisher _status;
    private readonly ICommandHandler? _handler;
    private readonly Channel<(string Topic, string Payload, bool Retained)> _commands;
    private volatile string? _keyProblem;

    /// <summary>Opens the gate's store at <paramref name="path"/> with the configured key.</summary>
    public CommandIntake(UplinkContext context, MessageProducer producer, StatusPublisher status, ICommandHandler? handler,
        string path, DateTimeOffset buildTime)
    {
        _context = context;
        _producer = producer;
        _status = status;
        _handler = handler;
        _commands = Channel.CreateBounded<(string Topic, string Payload, bool Retained)>(
            new BoundedChannelOptions(QueueCapacity) { FullMode = BoundedChannelFullMode.DropOldest },
            OnCommandDropped);
        Gate = new CommandGate(path, context.Options.StationId, LoadKey(), context.Time, buildTime);
    }

    public CommandGate Gate { get; }

    /// <summary>Why the configured key cannot be used; null when it can or none is configured.</summary>
    public string? KeyProblem => _keyProblem;

    /// <summary>Raised after each verdict on a command (for the host's audit view and for tests).</summary>
    public event Action<StationEvent>? Audited;

    /// <summary>Reads the configured key file again (a reload: a rotated key counts from now).</summary>
    public void ReloadKey() => Gate.SetKey(LoadKey());

    /// <summary>The client's receive handler: queues commands, never waits.</summary>
    public void OnMessage(InboundPublish message)
    {
        var topics = _context.Topics;
        var topic = message.Topic;
        if (topic != topics.CommandTopic && topic != topics.BroadcastCommandTopic)
        {
            return;
        }

        var payload = Encoding.UTF8.GetString(message.Payload.Span);
        _commands.Writer.TryWrite((topic, payload, message.Retain));
    }

    // Commands are judged and carried out one at a time, off the client's receive loop.
    public async Task RunAsync(CancellationToken ct)
    {
        try
        {
            await foreach (var (topic, payload, retained) in _commands.Reader.ReadAllAsync(ct).ConfigureAwait(false))
            {
                try
                {
                    await HandleAsync(topic, payload, retained, ct).ConfigureAwait(false);
                }
                catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
                {
                    // One command's failure (a full disk under the gate's database, say) must not end the
                    // loop: the hub would get no answer to anything again. Answer this one and go on.
                    Fail(topic, payload, e);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    internal async Task HandleAsync(string topic, string token, bool retained, CancellationToken ct)
    {
        var verdict = Gate.Verify(token, retained);
        if (!verdict.Accepted)
        {
            Log.CommandRefused(_context.Logger, verdict.Jti, topic, verdict.Error!);
            Audit(StationEventTypes.CommandRefused, verdict, topic, verdict.Error);
            _producer.EnqueueResult(verdict.Jti, ok: false, verdict.Error, verdict.ClockImplausible ? ClockNote : null);
            return;
        }

        var command = verdict.Command! with { Fleetwide = topic == _context.Topics.BroadcastCommandTopic };
        var name = CommandName(command);
        Log.CommandAccepted(_context.Logger, verdict.Jti!, name, verdict.ClockImplausible ? " on an implausible clock (signature, unseen jti and iat order only)" : "");
        Audit(StationEventTypes.CommandAccepted, verdict, topic, null, name);
        CommandOutcome outcome;
        try
        {
            outcome = _handler is null
                ? new CommandOutcome(false, "no-handler")
                : await _handler.HandleAsync(command, ct).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            Log.CommandHandlerFailed(_context.Logger, e, verdict.Jti!);
            outcome = new CommandOutcome(false, "failed: " + e.Message);
        }

        if (command is StatusCommand && _context.Client is { IsConnected: true } client)
        {
            try
            {
                await _status.PublishAsync(client, ct).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                Log.Disconnected(_context.Logger, e.Message);
            }
        }

        if (!outcome.Ok)
        {
            // Verified, then refused by the station (a broadcast it cannot play as asked, a clear it will not do).
            Log.CommandRefused(_context.Logger, verdict.Jti, topic, outcome.Error ?? "refused");
            Audit(StationEventTypes.CommandRefused, verdict with { Accepted = false }, topic, outcome.Error ?? "refused", name);
        }

        _producer.EnqueueResult(verdict.Jti, outcome.Ok, outcome.Error, verdict.ClockImplausible ? ClockNote : null);
    }

    public void Dispose() => Gate.Dispose();

    private void Fail(string topic, string token, Exception e)
    {
        var jti = CommandToken.UnverifiedJti(token);
        Log.CommandFailed(_context.Logger, e, jti, topic);
        Refuse(jti, topic, CommandErrors.Failed);
    }

    // Runs inside the channel's write: only queues the answer (the outbox never blocks on the broker).
    private void OnCommandDropped((string Topic, string Payload, bool Retained) dropped)
    {
        var jti = CommandToken.UnverifiedJti(dropped.Payload);
        Log.CommandRefused(_context.Logger, jti, dropped.Topic, CommandErrors.Overloaded);
        Refuse(jti, dropped.Topic, CommandErrors.Overloaded);
    }

    // Answers a command that was never judged (failed or dropped); a failure here is only logged.
    private void Refuse(string? jti, string topic, string error)
    {
        try
        {
            var verdict = new CommandVerdict(false, jti, null, error, false);
            Audit(StationEventTypes.CommandRefused, verdict, topic, error);
            _producer.EnqueueResult(jti, ok: false, error, null);
        }
        catch (Exception again) when (again is not OutOfMemoryException)
        {
            Log.CommandFailed(_context.Logger, again, jti, topic);
        }
    }

    private void Audit(string type, CommandVerdict verdict, string topic, string? error, string? command = null)
    {
        var data = new Dictionary<string, object?>(StringComparer.Ordinal) { ["topic"] = topic };
        if (command is not null)
        {
            data["cmd"] = command;
        }

        if (error is not null)
        {
            data["error"] = error;
        }

        if (verdict.ClockImplausible)
        {
            data["clock"] = "implausible";
        }

        var message = verdict.Accepted
            ? verdict.ClockImplausible ? "accepted on signature, unseen jti and iat order: the station clock is not plausible" : "accepted"
            : $"refused: {error}";
        var e = new StationEvent(type, _context.Time.GetUtcNow(), verdict.Jti, message, data);
        _producer.EnqueueEvent(e);
        Audited?.Invoke(e);
    }

    private static string CommandName(StationCommand command) => command switch
    {
        BroadcastCommand => StationCommand.BroadcastName,
        StopCommand => StationCommand.StopName,
        TestCommand => StationCommand.TestName,
        ClearCommand => StationCommand.ClearName,
        _ => StationCommand.StatusName,
    };

    private ECDsa? LoadKey()
    {
        var path = _context.Options.CommandKeyFile;
        if (path is null)
        {
            _keyProblem = null;
            return null;
        }

        var key = CommandGate.ReadKey(path, out var problem);
        if (key is not null)
        {
            _keyProblem = null;
            return key;
        }

        Log.CommandKeyFault(_context.Logger, path, problem!);
        _keyProblem = $"{path}: {problem}";
        _producer.EnqueueEvent(new StationEvent(StationEventTypes.CommandKeyFault, _context.Time.GetUtcNow(), "command-key",
            $"command key {path} cannot be used: {problem}; every command will be refused",
            new Dictionary<string, object?>(StringComparer.Ordinal) { ["path"] = path, ["problem"] = problem }));
        return null;
    }
}
