using System.Net.Sockets;
using EdgeGateway.Core.Alerting;
using EdgeGateway.Core.Readings;
using EdgeGateway.Core.Threading;
using EdgeGateway.Sl651;
using EdgeGateway.Uplink.Internal;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace EdgeGateway.Uplink.Sl651;

/// <summary>Where the link to the SL 651 centre stands.</summary>
public enum Sl651LinkState
{
    Starting,
    Connecting,
    Connected,

    /// <summary>No centre accepted, or the link was reset; retrying with back-off.</summary>
    Disconnected,

    /// <summary>The report queue cannot be opened; reports cannot be kept.</summary>
    Faulted,
    Stopped,
}

/// <summary>What <c>edgegw status</c> shows of the SL 651 link.</summary>
public sealed record Sl651Status(Sl651LinkState State, string? Centre, long Owed, DateTimeOffset? LastConfirmed, string? LastError);

/// <summary>
/// The SL 651-2014 remote station: timed reports (32) on the local clock, an add report (33) at every rule level
/// change, keep-alives (2F) on an idle link, and send-and-confirm (M2) through a durable queue: a report is sent
/// until the centre confirms its serial, again on every new connection, with its original observation time and values.
/// </summary>
/// <remarks>
/// Two loops: the schedule makes timed reports into the queue; the link connects to the centres in order, sends
/// what is owed one report at a time (each waits for its confirmation), and keeps the idle link alive. A centre
/// that sends garbage or an unexpected frame, or does not confirm in time, is logged and the link reset.
/// </remarks>
public sealed class Sl651Station : BackgroundService
{
    private readonly Sl651Options _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly WakeSignal _owedChanged = new();
    private readonly Lock _statusLock = new();
    private readonly TaskCompletionSource _scheduled = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Sl651ReportQueue? _queue;
    private Sl651Values? _values;
    private Sl651LinkState _state = Sl651LinkState.Starting;
    private string? _centre;
    private long _owed;
    private DateTimeOffset? _lastConfirmed;
    private string? _lastError;

    /// <param name="history">The readings recorded before this start (at least the last 25 hours), or null.</param>
    public Sl651Station(Sl651Options options, TimeProvider time, ILogger<Sl651Station> logger, Func<IEnumerable<Reading>>? history = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        _time = time;
        _logger = logger;

        // Opened here, before the pipeline starts, so the first readings and transitions already count.
        try
        {
            var queue = new Sl651ReportQueue(Path.Combine(_options.StoragePath, Sl651ReportQueue.FileName));
            _values = new Sl651Values([.. _options.Elements], _options.TimeZone, queue.Get);
            _queue = queue;
            _owed = queue.Count;
        }
        catch (Exception e) when (Sqlite.IsStorageError(e) || e is UnauthorizedAccessException)
        {
            Log.Sl651QueueFailed(_logger, e.Message);
            _state = Sl651LinkState.Faulted;
            _lastError = "report queue: " + e.Message;
        }

        if (_values is not null && history is not null)
        {
            try
            {
                _values.Prime(history());
            }
            catch (Exception e) when (e is Microsoft.Data.Sqlite.SqliteException or IOException or UnauthorizedAccessException or InvalidOperationException)
            {
                // Without the history, 1A and 1F count from this start; the reports themselves go on.
                Log.Sl651HistoryFailed(_logger, e.Message);
            }
        }
    }

    public Sl651Status Status
    {
        get
        {
            lock (_statusLock)
            {
                return new Sl651Status(_state, _centre, _owed, _lastConfirmed, _lastError);
            }
        }
    }

    /// <summary>Raised after each report the centre confirmed (serial), for tests and status.</summary>
    public event Action<ushort>? Confirmed;

    /// <summary>Raised after each report is stored as owed (function, serial).</summary>
    public event Action<Sl651Function, ushort>? Queued;

    /// <summary>Completes once the first timed report is scheduled (tests advance a fake clock after it).</summary>
    internal Task Scheduled => _scheduled.Task;

    /// <summary>What is owed, in sending order (tests and tools).</summary>
    internal IReadOnlyList<Sl651Frame> Owed(int max = 100) =>
        _queue is null ? [] : [.. _queue.InSendingOrder(max).Select(r => Sl651Decoder.Decode(r.Frame))];

    /// <summary>Readings in arrival order; returns at once.</summary>
    public void OnReadings(IReadOnlyList<Reading> readings)
    {
        ArgumentNullException.ThrowIfNull(readings);
        _values?.OnReadings(readings);
    }

    /// <summary>Any rule level change makes one add report with the current values, at once.</summary>
    public void OnTransitions(IReadOnlyList<LevelTransition> transitions)
    {
        ArgumentNullException.ThrowIfNull(transitions);
        if (_queue is null || !transitions.Any(t => t.Scope == TransitionScope.Rule))
        {
            return;
        }

        MakeReport(Sl651Function.Add, transitions[^1].Time);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (_queue is null)
        {
            return;
        }

        try
        {
            await Task.WhenAll(ScheduleAsync(stoppingToken), LinkAsync(stoppingToken)).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            SetStatus(Sl651LinkState.Stopped, null, null, null);
        }
    }

    public override void Dispose()
    {
        _queue?.Dispose();
        base.Dispose();
    }

    private async Task ScheduleAsync(CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            var now = _time.GetUtcNow();
            var due = Sl651Clock.NextTimed(now, _options.Timed, _options.TimeZone);
            var delay = Task.Delay(due - now, _time, ct);
            _scheduled.TrySetResult();
            await delay.ConfigureAwait(false);
            MakeReport(Sl651Function.Timed, due);
        }
    }

    /// <summary>Builds a report of the current values observed at <paramref name="observed"/> and stores it as owed.</summary>
    internal void MakeReport(Sl651Function function, DateTimeOffset observed)
    {
        var queue = _queue!;
        var (elements, stored) = _values!.Snapshot(observed);
        var serial = queue.NextSerial();
        var frame = new Sl651Frame
        {
            Direction = Sl651Direction.Up,
            Centre = _options.Centre,
            Station = _options.Station,
            Password = _options.Password,
            Function = function,
            Serial = serial,
            SendTime = Sl651Clock.LocalSecond(_time.GetUtcNow(), _options.TimeZone),
            Report = new Sl651ReportHeader(_options.Station, _options.StationType, Sl651Clock.LocalMinute(observed, _options.TimeZone)),
            Elements = elements,
            End = Sl651EndByte.Etx,
        };
        byte[] bytes;
        try
        {
            bytes = Sl651Encoder.Encode(frame);
        }
        catch (Sl651FrameException e)
        {
            // Only a clock outside 2000-2099 gets here: the frame cannot carry its time.
            Log.Sl651ReportNotEncoded(_logger, (byte)function, e.Message);
            return;
        }

        var hadFault = queue.Fault is not null;
        if (!queue.Add(serial, (byte)function, bytes, stored) && !hadFault)
        {
            Log.Sl651QueueWriteFailed(_logger, queue.Fault ?? "");
        }
        else if (hadFault && queue.Fault is null)
        {
            Log.Sl651QueueWritten(_logger);
        }

        Log.Sl651ReportQueued(_logger, (byte)function, serial, frame.Report.ObservationTime!.Value);
        lock (_statusLock)
        {
            _owed++;
            _lastError = queue.Fault is { } fault ? "report queue: " + fault : _lastError;
        }

        Queued?.Invoke(function, serial);
        _owedChanged.Set();
    }

    private async Task LinkAsync(CancellationToken ct)
    {
        var failures = 0;
        while (!ct.IsCancellationRequested)
        {
            foreach (var centre in _options.Centres)
            {
                var name = centre.ToString();
                SetStatus(Sl651LinkState.Connecting, name, null, null);
                var wasUp = false;
                try
                {
                    using var client = new TcpClient();
                    using (var connect = CancellationTokenSource.CreateLinkedTokenSource(ct))
                    {
                        connect.CancelAfter(_options.ConnectTimeout);
                        await client.ConnectAsync(centre.Host, centre.Port, connect.Token).ConfigureAwait(false);
                    }

                    client.NoDelay = true;
                    wasUp = true;
                    failures = 0;
                    SetStatus(Sl651LinkState.Connected, name, null, null);
                    var owedNow = Status.Owed;
                    Log.Sl651Connected(_logger, name, owedNow);
                    await SessionAsync(client.GetStream(), ct).ConfigureAwait(false);
                }
                // Whatever breaks a connection (and a queue read that failed) ends only this connection: the station
                // goes on alarming, and the link tries again.
                catch (Exception e) when (!ct.IsCancellationRequested)
                {
                    var reason = e is OperationCanceledException ? "no answer within " + _options.ConnectTimeout.TotalSeconds + "s" : e.Message;
                    if (wasUp)
                    {
                        Log.Sl651LinkReset(_logger, name, reason);
                    }
                    else
                    {
                        Log.Sl651ConnectFailed(_logger, name, reason);
                    }

                    SetStatus(Sl651LinkState.Disconnected, null, $"{name}: {reason}", null);
                }

                if (wasUp)
                {
                    // The link worked: start again from the first centre after a short pause.
                    break;
                }
            }

            var delay = Backoff(failures++);
            await Task.Delay(delay, _time, ct).ConfigureAwait(false);
        }
    }

    private TimeSpan Backoff(int failures)
    {
        var min = _options.Reconnect.Min;
        var ticks = Math.Min(_options.Reconnect.Max.Ticks, min.Ticks * (1L << Math.Min(failures, 16)));
        return TimeSpan.FromTicks(Math.Max(ticks, min.Ticks));
    }

    private async Task SessionAsync(Stream stream, CancellationToken ct)
    {
        using var session = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var reader = new Sl651FrameReader(stream);
        var incoming = reader.ReadAsync(session.Token);
        var lastSent = _time.GetUtcNow();
        try
        {
            while (true)
            {
                ct.ThrowIfCancellationRequested();
                if (_queue!.Next() is { } report)
                {
                    await SendAsync(stream, Resend(report.Frame), session.Token).ConfigureAwait(false);
                    lastSent = _time.GetUtcNow();
                    incoming = await AwaitConfirmationAsync(reader, incoming, report, session.Token).ConfigureAwait(false);
                    _queue.Confirmed(report.Id);
                    var now = _time.GetUtcNow();
                    lock (_statusLock)
                    {
                        _owed = Math.Max(0, _owed - 1);
                        _lastConfirmed = now;
                        _lastError = null;
                    }

                    Log.Sl651ReportConfirmed(_logger, report.Function, report.Serial);
                    Confirmed?.Invoke(report.Serial);
                    continue;
                }

                var idle = lastSent + _options.KeepAlive - _time.GetUtcNow();
                if (idle <= TimeSpan.Zero)
                {
                    await SendAsync(stream, KeepAlive(), session.Token).ConfigureAwait(false);
                    lastSent = _time.GetUtcNow();
                    continue;
                }

                using var wait = CancellationTokenSource.CreateLinkedTokenSource(session.Token);
                var delay = Task.Delay(idle, _time, wait.Token);
                var owed = _owedChanged.WaitAsync(wait.Token);
                var first = await Task.WhenAny(incoming, delay, owed).ConfigureAwait(false);
                await wait.CancelAsync().ConfigureAwait(false);
                if (first == incoming)
                {
                    CheckUnsolicited(await incoming.ConfigureAwait(false));
                    incoming = reader.ReadAsync(session.Token);
                }
            }
        }
        finally
        {
            await session.CancelAsync().ConfigureAwait(false);
            _ = incoming.ContinueWith(t => t.Exception, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }
    }

    /// <summary>Reads until the centre confirms <paramref name="report"/>; returns the next pending read.</summary>
    private async Task<Task<Sl651Frame>> AwaitConfirmationAsync(Sl651FrameReader reader, Task<Sl651Frame> incoming, OwedReport report, CancellationToken ct)
    {
        var deadline = _time.GetUtcNow() + _options.ConfirmTimeout;
        while (true)
        {
            var left = deadline - _time.GetUtcNow();
            using var wait = CancellationTokenSource.CreateLinkedTokenSource(ct);
            var timeout = left > TimeSpan.Zero ? Task.Delay(left, _time, wait.Token) : Task.CompletedTask;
            var first = await Task.WhenAny(incoming, timeout).ConfigureAwait(false);
            await wait.CancelAsync().ConfigureAwait(false);
            if (first != incoming)
            {
                throw new Sl651LinkException($"serial {report.Serial} not confirmed within {_options.ConfirmTimeout.TotalSeconds}s");
            }

            var frame = await incoming.ConfigureAwait(false);
            incoming = reader.ReadAsync(ct);
            if (frame.Direction == Sl651Direction.Down && (byte)frame.Function == report.Function && frame.Serial == report.Serial)
            {
                if (frame.End == Sl651EndByte.Nak)
                {
                    throw new Sl651LinkException($"the centre refused serial {report.Serial} (NAK)");
                }

                return incoming;
            }

            CheckUnsolicited(frame);
        }
    }

    // A centre may answer a keep-alive; anything else it sends unasked is not something this station serves.
    private static void CheckUnsolicited(Sl651Frame frame)
    {
        if (frame.Direction == Sl651Direction.Down && frame.Function == Sl651Function.LinkKeepAlive)
        {
            return;
        }

        throw new Sl651LinkException($"unexpected frame: function {(byte)frame.Function:X2} serial {frame.Serial} going {frame.Direction.ToString().ToLowerInvariant()}");
    }

    // The stored frame with the time of this sending; serial, observation time and values stay as first made.
    private byte[] Resend(byte[] stored)
    {
        var original = Sl651Decoder.Decode(stored);
        var frame = new Sl651Frame
        {
            Direction = original.Direction,
            Centre = _options.Centre,
            Station = original.Station,
            Password = _options.Password,
            Function = original.Function,
            Serial = original.Serial,
            SendTime = Sl651Clock.LocalSecond(_time.GetUtcNow(), _options.TimeZone),
            Report = original.Report,
            Elements = original.Elements,
            End = original.End,
        };
        return Sl651Encoder.Encode(frame);
    }

    private byte[] KeepAlive() => Sl651Encoder.Encode(new Sl651Frame
    {
        Direction = Sl651Direction.Up,
        Centre = _options.Centre,
        Station = _options.Station,
        Password = _options.Password,
        Function = Sl651Function.LinkKeepAlive,
        Serial = _queue!.NextSerial(),
        SendTime = Sl651Clock.LocalSecond(_time.GetUtcNow(), _options.TimeZone),
        End = Sl651EndByte.Etx,
    });

    private static async Task SendAsync(Stream stream, byte[] frame, CancellationToken ct)
    {
        await stream.WriteAsync(frame, ct).ConfigureAwait(false);
        await stream.FlushAsync(ct).ConfigureAwait(false);
    }

    private void SetStatus(Sl651LinkState state, string? centre, string? error, long? owed)
    {
        lock (_statusLock)
        {
            _state = state;
            _centre = centre;
            if (error is not null)
            {
                _lastError = error;
            }

            if (owed is { } o)
            {
                _owed = o;
            }
        }
    }
}

/// <summary>The centre did not keep to the protocol (an unexpected frame, no confirmation, a refusal): the link is reset.</summary>
public sealed class Sl651LinkException : Exception
{
    public Sl651LinkException()
    {
    }

    public Sl651LinkException(string message)
        : base(message)
    {
    }

    public Sl651LinkException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
