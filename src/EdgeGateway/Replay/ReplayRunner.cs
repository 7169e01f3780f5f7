using System.Globalization;
using EdgeGateway.Configuration;
using EdgeGateway.Core.Alerting;
using EdgeGateway.Core.Readings;
using EdgeGateway.Core.Rules;

namespace EdgeGateway.Replay;

/// <summary>How many readings a replay judged, the first and the last one's time.</summary>
public sealed record ReplaySpan(long Readings, DateTimeOffset First, DateTimeOffset Last);

/// <summary>
/// <c>edgegw replay</c>: runs the configured rules over a readings file in simulated time and prints every
/// level transition. Streaming: memory follows the longest rule window, not the length of the file.
/// </summary>
public sealed class ReplayRunner
{
    private const int MaxErrorsShown = 20;
    private const double MicroPerUnit = 1_000_000d;

    private readonly AlertLevels _levels;
    private readonly IReadOnlyList<RuleDefinition> _rules;
    private readonly string[] _sensorIds;
    private readonly SensorKind[] _sensorKinds;

    public ReplayRunner(AlertLevels levels, IReadOnlyList<RuleDefinition> rules, IReadOnlyList<KeyValuePair<string, SensorKind>> sensors)
    {
        ArgumentNullException.ThrowIfNull(sensors);
        _levels = levels;
        _rules = rules;
        _sensorIds = [.. sensors.Select(s => s.Key)];
        _sensorKinds = [.. sensors.Select(s => s.Value)];
    }

    /// <summary>The rules, levels and sensors of a valid station configuration.</summary>
    public static ReplayRunner FromConfig(StationConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        var levels = LevelMapping.Levels(config);
        return new ReplayRunner(
            levels,
            RuleMapping.Rules(config, levels),
            [.. config.Sensors.Select(s => KeyValuePair.Create(s.Id, s.Kind))]);
    }

    /// <summary>Replays <paramref name="path"/>; returns the exit code (0, or 2 for a bad file).</summary>
    public int Run(string path, TextWriter output, TextWriter error, bool json)
    {
        ArgumentNullException.ThrowIfNull(error);
        if (Open(path, error) is not { } stream)
        {
            return Cli.ExitCodes.Usage;
        }

        using (stream)
        {
            return Run(stream, path, output, error, json);
        }
    }

    /// <summary>Opens a readings file for one pass, or says on <paramref name="error"/> why it cannot.</summary>
    public static FileStream? Open(string path, TextWriter error)
    {
        ArgumentNullException.ThrowIfNull(error);
        try
        {
            return new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            error.WriteLine($"edgegw: cannot read {path}: {e.Message}");
            return null;
        }
    }

    public AlertLevels Levels => _levels;

    public IReadOnlyList<RuleDefinition> Rules => _rules;

    public int Run(Stream stream, string fileName, TextWriter output, TextWriter error, bool json)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        var transitions = 0;
        var code = Replay(stream, fileName, error, t =>
        {
            transitions++;
            output.WriteLine(json ? TransitionFormat.Json(t) : TransitionFormat.Text(t));
        }, null, out var span);
        if (code == Cli.ExitCodes.Success && transitions == 0)
        {
            // Silence would read as "nothing to see" or as a tool that did nothing; say which. JSON Lines stay empty.
            (json ? error : output).WriteLine(NoTransitions(fileName, span));
        }

        output.Flush();
        return code;
    }

    /// <summary>What a file without transitions prints: how much was judged, so an empty answer is a real one.</summary>
    public static string NoTransitions(string fileName, ReplaySpan span)
    {
        ArgumentNullException.ThrowIfNull(span);
        return span.Readings == 0
            ? $"no level transitions: {fileName} holds no readings"
            : string.Create(CultureInfo.InvariantCulture, $"no level transitions in {span.Readings} readings from {TransitionFormat.Time(span.First)} to {TransitionFormat.Time(span.Last)}");
    }

    /// <summary>
    /// Replays <paramref name="stream"/>: each transition to <paramref name="onTransition"/> in order, the engine to
    /// <paramref name="afterBatch"/> after each instant's readings are judged. Returns the exit code (2 for a bad
    /// file, its errors on <paramref name="error"/>) and what was read.
    /// </summary>
    public int Replay(Stream stream, string fileName, TextWriter error, Action<LevelTransition> onTransition, Action<RuleEngine, DateTimeOffset>? afterBatch, out ReplaySpan span)
    {
        ArgumentNullException.ThrowIfNull(error);
        ArgumentNullException.ThrowIfNull(onTransition);
        var engine = new RuleEngine(_levels, _rules);
        var reader = new ReadingsCsvReader(stream, _sensorIds);
        var counters = new long[_sensorIds.Length];
        var counted = new bool[_sensorIds.Length];
        var batch = new Reading[16];
        var batchCount = 0;
        var lastTicks = long.MinValue;
        var firstTicks = long.MinValue;
        long readings = 0;
        var errors = 0;

        void Flush()
        {
            if (batchCount == 0)
            {
                return;
            }

            foreach (var t in engine.OnReadings(batch.AsSpan(0, batchCount)))
            {
                onTransition(t);
            }

            afterBatch?.Invoke(engine, batch[0].Time);
            batchCount = 0;
        }

        void Report(long line, string message)
        {
            if (++errors <= MaxErrorsShown)
            {
                error.WriteLine($"{fileName}:{line}: {message}");
            }
        }

        while (true)
        {
            CsvReadResult result;
            CsvReading row;
            try
            {
                result = reader.Read(out row);
            }
            catch (InvalidDataException e)
            {
                Report(reader.Line + 1, e.Message);
                break;
            }

            if (result == CsvReadResult.End)
            {
                break;
            }

            if (result == CsvReadResult.Error)
            {
                Report(reader.Line, reader.ErrorMessage);
                continue;
            }

            if (row.Ticks < lastTicks)
            {
                Report(row.Line, "earlier than the line before: readings must be in time order (sort the file by time)");
                continue;
            }

            lastTicks = row.Ticks;
            if (!TryConvert(row, counters, counted, out var value, out var message))
            {
                Report(row.Line, message);
                continue;
            }

            if (errors > 0)
            {
                // Past the first error nothing is judged; the rest of the file is only checked.
                continue;
            }

            if (readings++ == 0)
            {
                firstTicks = row.Ticks;
            }

            if (batchCount > 0 && batch[0].Time.UtcTicks != row.Ticks)
            {
                Flush();
            }

            if (batchCount == batch.Length)
            {
                Array.Resize(ref batch, batch.Length * 2);
            }

            batch[batchCount++] = double.IsNaN(value)
                ? new Reading(_sensorIds[row.Sensor], new DateTimeOffset(row.Ticks, TimeSpan.Zero), double.NaN, Quality.CommFault)
                : new Reading(_sensorIds[row.Sensor], new DateTimeOffset(row.Ticks, TimeSpan.Zero), value, Quality.Good);
        }

        span = readings == 0
            ? new ReplaySpan(0, default, default)
            : new ReplaySpan(readings, new DateTimeOffset(firstTicks, TimeSpan.Zero), new DateTimeOffset(lastTicks, TimeSpan.Zero));
        if (errors > 0)
        {
            if (errors > MaxErrorsShown)
            {
                error.WriteLine($"{fileName}: {errors - MaxErrorsShown} more errors not shown");
            }

            return Cli.ExitCodes.Usage;
        }

        Flush();
        return Cli.ExitCodes.Success;
    }

    // Rain sensors feed the rules rainfall per reading. A rain-total counter becomes increments, in exact
    // millionths: a counter that goes down was reset, and its new value is the rain since the reset.
    private bool TryConvert(in CsvReading row, long[] counters, bool[] counted, out double value, out string message)
    {
        message = "";
        value = row.Value;
        if (double.IsNaN(value))
        {
            return true;
        }

        switch (_sensorKinds[row.Sensor])
        {
            case SensorKind.RainTotal:
                var counter = (long)Math.Round(value * MicroPerUnit);
                if (counter < 0)
                {
                    message = "a rain counter cannot be negative";
                    return false;
                }

                var increment = !counted[row.Sensor] ? 0 : counter >= counters[row.Sensor] ? counter - counters[row.Sensor] : counter;
                counters[row.Sensor] = counter;
                counted[row.Sensor] = true;
                value = increment / MicroPerUnit;
                return true;
            case SensorKind.RainPulse when value < 0:
                message = "rainfall cannot be negative";
                return false;
            default:
                return true;
        }
    }
}
