using System.Globalization;
using EdgeGateway.Configuration;
using EdgeGateway.Core.Alerting;
using EdgeGateway.Core.Readings;
using EdgeGateway.Hosting;
using EdgeGateway.Uplink;
using EdgeGateway.Uplink.Mqtt;
using EdgeGateway.Uplink.Payloads;
using Microsoft.Extensions.Logging;

namespace EdgeGateway.Fleet;

/// <summary>What the whole fleet has done so far, summed over its stations.</summary>
public sealed record FleetTotals(int Stations, int Connected, long Queued, long Sent, long Alerts);

/// <summary>
/// One alert a simulated station raised: when (the payload's <c>time</c>) and the levels it went between; its
/// seq, when its station's outbox had stored it, when it was first handed to the MQTT client (PUBLISH) and when
/// the broker acknowledged it (PUBACK; null until then).
/// </summary>
public sealed record FleetAlert(DateTimeOffset Time, string From, string To, long? Seq = null, DateTimeOffset? Stored = null,
    DateTimeOffset? Sent = null, DateTimeOffset? Acked = null);

/// <summary>What one simulated station created: its last seq, what is still in its outbox, its alerts.</summary>
public sealed record FleetStationSummary(string Id, long LastSeq, long Queued, IReadOnlyList<FleetAlert> Alerts);

/// <summary>
/// Many simulated stations in one process, each a real <see cref="UplinkService"/> with its own id, outbox and
/// seq, so a broker cluster and the hub receiver are loaded and failed exactly as a district of stations would.
/// Only the readings and the level transitions are made up; everything from the outbox on is the station's code.
/// </summary>
public sealed class FleetSimulator : IDisposable
{
    private readonly StationConfig _template;
    private readonly TimeProvider _time;
    private const int AlertParallelism = 8;
    private readonly List<UplinkService> _stations = [];
    private readonly List<string> _ids = [];
    private readonly string? _ruleId;
    private readonly string? _levelId;
    private readonly AlertLevel? _level;
    private readonly double? _threshold;

    // Per station, what it was asked to raise; read by the summary a hub's contents are checked against.
    private readonly List<FleetAlert>[] _raised;

    // Per station, its alerts' seqs in the order stored, when each was stored and when acknowledged.
    private readonly List<AlertTrace> _traces = [];
    private long _ticks;
    private long _alerts;

    /// <param name="template">A valid station.yaml with an <c>uplink.mqtt</c> section.</param>
    /// <param name="count">How many stations; ids are the template's id with -0001, -0002 ... appended.</param>
    /// <param name="telemetry">How often each station sends a batch of its template's sensors.</param>
    public FleetSimulator(StationConfig template, int count, TimeSpan telemetry, TimeProvider time, ILoggerFactory loggers)
    {
        ArgumentNullException.ThrowIfNull(template);
        ArgumentNullException.ThrowIfNull(loggers);
        _template = template;
        _time = time;
        var logger = loggers.CreateLogger<UplinkService>();
        var levels = LevelMapping.Levels(template);
        for (var i = 1; i <= count; i++)
        {
            // The same mapping as the running station; only who it is and where it keeps its outbox differ.
            var options = UplinkMapping.FromConfig(template, levels)
                ?? throw new ArgumentException("the template has no uplink.mqtt section", nameof(template));
            options.StationId = StationId(template.Station.Id, i);
            options.StoragePath = Path.Combine(template.Storage.Path, options.StationId);
            options.TelemetryPeriod = telemetry;
            Directory.CreateDirectory(options.StoragePath);
            var station = new UplinkService(options, time, logger);
            var trace = new AlertTrace();
            station.MessageProgress += (step, topic, seq) =>
            {
                if (topic == Topics.Alert)
                {
                    trace.Add(step, seq, time.GetUtcNow());
                }
            };
            _stations.Add(station);
            _traces.Add(trace);
            _ids.Add(options.StationId);
        }

        _raised = [.. _stations.Select(_ => new List<FleetAlert>())];
        var rule = template.Alerting.Rules.FirstOrDefault();
        _ruleId = rule?.Id ?? "sim";
        _levelId = rule?.Above?.FirstOrDefault().Key ?? rule?.Level ?? template.Alerting.Levels.FirstOrDefault()?.Id;
        _level = _levelId is null ? null : levels.Get(_levelId);
        _threshold = rule?.Above?.FirstOrDefault() is { Key: not null } above ? above.Value : null;
    }

    /// <summary>The id of the <paramref name="index"/>th station (from 1): <c>TEMPLATE-ID-0001</c>.</summary>
    public static string StationId(string templateId, int index) =>
        string.Create(CultureInfo.InvariantCulture, $"{templateId}-{index:D4}");

    public IReadOnlyList<UplinkService> Stations => _stations;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        foreach (var station in _stations)
        {
            await station.StartAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>One telemetry interval: every station's sensors, read now with made-up values.</summary>
    public void Telemetry()
    {
        var now = _time.GetUtcNow();
        var tick = Interlocked.Increment(ref _ticks);
        for (var i = 0; i < _stations.Count; i++)
        {
            var readings = _template.Sensors.Select((s, k) => new Reading(s.Id, now, Synthetic(s.Kind, tick, i, k), Quality.Good));
            _stations[i].EnqueueTelemetry([.. readings]);
        }
    }

    /// <summary>
    /// The given stations' rules (indexes from 0) each go up a level and straight back down: two alerts (each with its
    /// CAP document), the messages a hub must never lose. Does nothing when the template has no alert level.
    /// </summary>
    public void Alert(IReadOnlyList<int> stations)
    {
        ArgumentNullException.ThrowIfNull(stations);
        if (_levelId is null || _level is null || _ruleId is null || stations.Count == 0)
        {
            return;
        }

        // Each station raises its own alert, stamped when it does, as a station's rule does on its own hardware.
        // Here they share one machine and each alert is a durable write (an fsync) of its outbox: one after the
        // other, the last station of a few hundred would raise its alert seconds after the first. They are raised
        // on threads of their own: on the thread pool they would hold every thread the stations' uplinks publish
        // from, and no station would send its alert before the last one had raised its own.
        var next = -1;
        var raisers = Enumerable.Range(0, Math.Min(AlertParallelism, stations.Count)).Select(_ => new Thread(() =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < stations.Count)
            {
                Raise(stations[i]);
            }
        })
        { IsBackground = true, Name = "sim-alert" }).ToList();
        raisers.ForEach(t => t.Start());
        raisers.ForEach(t => t.Join());
    }

    private void Raise(int i)
    {
        var now = _time.GetUtcNow();
        lock (_raised[i])
        {
            _raised[i].Add(new FleetAlert(now, LevelTransition.None, _levelId!));
            _raised[i].Add(new FleetAlert(now, _levelId!, LevelTransition.None));
        }

        _stations[i].EnqueueAlert(new LevelTransition(now, TransitionScope.Rule, _ruleId!, AlertLevels.None, _level!, _threshold, _threshold));
        _stations[i].EnqueueAlert(new LevelTransition(now, TransitionScope.Rule, _ruleId!, _level!, AlertLevels.None, 0, _threshold));
        Interlocked.Add(ref _alerts, 2);
    }

    /// <summary>Each station's last seq, what its outbox still holds, and every alert it raised, in order, with its timings.</summary>
    public IReadOnlyList<FleetStationSummary> Summary() =>
        [.. _stations.Select((s, i) =>
        {
            var status = s.Status;
            lock (_raised[i])
            {
                // A station stores its alerts one after the other, as raised: the k-th stored is the k-th raised.
                return new FleetStationSummary(_ids[i], status.LastSeq, status.QueueDepth, [.. _raised[i].Select(_traces[i].Timed)]);
            }
        })];

    public FleetTotals Totals()
    {
        int connected = 0;
        long queued = 0, sent = 0;
        foreach (var station in _stations)
        {
            var status = station.Status;
            connected += status.State == UplinkState.Connected ? 1 : 0;
            queued += status.QueueDepth;
            // Seqs are given in order as messages are stored; those no longer queued were acknowledged.
            sent += Math.Max(0, status.LastSeq - status.QueueDepth);
        }

        return new FleetTotals(_stations.Count, connected, queued, sent, Interlocked.Read(ref _alerts));
    }

    /// <summary>Stops every station as <c>run</c> stops: the last readings cut into a batch, the outbox flushed.</summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await Task.WhenAll(_stations.Select(s => s.StopAsync(cancellationToken))).ConfigureAwait(false);
    }

    public void Dispose()
    {
        foreach (var station in _stations)
        {
            station.Dispose();
        }
    }

    private sealed class AlertTrace
    {
        private readonly Lock _lock = new();
        private readonly List<long> _seqs = [];
        private readonly Dictionary<long, DateTimeOffset> _stored = [];
        private readonly Dictionary<long, DateTimeOffset> _sent = [];
        private readonly Dictionary<long, DateTimeOffset> _acked = [];

        // The first PUBLISH and PUBACK count; after a lost connection an unacknowledged alert is sent again.
        public void Add(UplinkMessageStep step, long seq, DateTimeOffset now)
        {
            lock (_lock)
            {
                switch (step)
                {
                    case UplinkMessageStep.Stored:
                        _seqs.Add(seq);
                        _stored[seq] = now;
                        break;
                    case UplinkMessageStep.Publishing:
                        _sent.TryAdd(seq, now);
                        break;
                    default:
                        _acked.TryAdd(seq, now);
                        break;
                }
            }
        }

        public FleetAlert Timed(FleetAlert alert, int index)
        {
            lock (_lock)
            {
                if (index >= _seqs.Count)
                {
                    return alert;
                }

                var seq = _seqs[index];
                return alert with
                {
                    Seq = seq,
                    Stored = _stored[seq],
                    Sent = _sent.TryGetValue(seq, out var s) ? s : null,
                    Acked = _acked.TryGetValue(seq, out var a) ? a : null,
                };
            }
        }
    }

    // A slow wave per station and sensor, so a hub's charts show distinct, plausible lines; a switch is 0 or 1.
    private static double Synthetic(SensorKind kind, long tick, int station, int sensor)
    {
        var wave = Math.Sin((tick + (station * 7) + (sensor * 13)) / 10.0);
        return kind == SensorKind.Digital ? (wave > 0 ? 1 : 0) : Math.Round(1 + wave, 3);
    }
}
