using System.Globalization;
using Microsoft.Extensions.Hosting.Systemd;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Console;
using Microsoft.Extensions.Options;

namespace EdgeGateway.Hosting.Logging;

/// <summary>Options of <see cref="StationConsoleFormatter"/>.</summary>
public sealed class StationConsoleFormatterOptions : ConsoleFormatterOptions
{
    /// <summary>
    /// Lines for journald: a syslog priority prefix (<c>&lt;4&gt;</c>) so <c>journalctl -p warning</c> selects
    /// alarms, no timestamp (the journal stamps each line), an exception on the same line.
    /// </summary>
    public bool Journal { get; set; }
}

/// <summary>
/// One line per event, with the category shortened to its type name: <c>StationPipeline[700]</c>, not a
/// 45-column namespace. On a terminal: <c>2026-07-01T03:00:00.250Z warn: StationPipeline[700] Rule river: none -&gt; prepare ...</c>;
/// for the journal: <c>&lt;4&gt;StationPipeline[700]: Rule river: none -&gt; prepare ...</c>.
/// </summary>
public sealed class StationConsoleFormatter : ConsoleFormatter, IDisposable
{
    public const string FormatterName = "edgegw";

    private readonly IDisposable? _reload;
    private readonly TimeProvider _time;
    private StationConsoleFormatterOptions _options;

    public StationConsoleFormatter(IOptionsMonitor<StationConsoleFormatterOptions> options, TimeProvider time)
        : base(FormatterName)
    {
        ArgumentNullException.ThrowIfNull(options);
        _time = time;
        _options = options.CurrentValue;
        _reload = options.OnChange(o => _options = o);
    }

    /// <summary>
    /// True when standard output goes to the journal: systemd sets <c>JOURNAL_STREAM</c> for a unit whose
    /// output it connects to journald, and is the parent of a service it started.
    /// </summary>
    public static bool ToJournal() =>
        !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("JOURNAL_STREAM")) || SystemdHelpers.IsSystemdService();

    /// <summary>The last part of a category: <c>EdgeGateway.Hosting.Pipeline.StationPipeline</c> is <c>StationPipeline</c>.</summary>
    public static string ShortCategory(string category)
    {
        ArgumentNullException.ThrowIfNull(category);
        var name = category;
        var generic = name.IndexOf('`', StringComparison.Ordinal);
        if (generic >= 0)
        {
            name = name[..generic];
        }

        var dot = name.LastIndexOf('.');
        return dot >= 0 && dot < name.Length - 1 ? name[(dot + 1)..] : name;
    }

    public override void Write<TState>(in LogEntry<TState> logEntry, IExternalScopeProvider? scopeProvider, TextWriter textWriter)
    {
        ArgumentNullException.ThrowIfNull(textWriter);
        var message = logEntry.Formatter?.Invoke(logEntry.State, logEntry.Exception);
        if (message is null && logEntry.Exception is null)
        {
            return;
        }

        var options = _options;
        var category = ShortCategory(logEntry.Category);
        var id = logEntry.EventId.Id;
        if (options.Journal)
        {
            textWriter.Write('<');
            textWriter.Write(Priority(logEntry.LogLevel).ToString(CultureInfo.InvariantCulture));
            textWriter.Write('>');
            textWriter.Write(category);
            textWriter.Write('[');
            textWriter.Write(id.ToString(CultureInfo.InvariantCulture));
            textWriter.Write("]: ");
            // journald takes a line per entry: a multi-line message or stack trace stays one entry.
            textWriter.Write(OneLine(message));
            if (logEntry.Exception is { } e)
            {
                textWriter.Write(" | ");
                textWriter.Write(OneLine(e.ToString()));
            }

            textWriter.Write('\n');
            return;
        }

        if (options.TimestampFormat is { } format)
        {
            var now = options.UseUtcTimestamp ? _time.GetUtcNow() : _time.GetLocalNow();
            textWriter.Write(now.ToString(format, CultureInfo.InvariantCulture));
        }

        textWriter.Write(Label(logEntry.LogLevel));
        textWriter.Write(": ");
        textWriter.Write(category);
        textWriter.Write('[');
        textWriter.Write(id.ToString(CultureInfo.InvariantCulture));
        textWriter.Write("] ");
        textWriter.Write(message);
        textWriter.Write('\n');
        if (logEntry.Exception is { } ex)
        {
            textWriter.Write(ex.ToString());
            textWriter.Write('\n');
        }
    }

    public void Dispose() => _reload?.Dispose();

    private static string OneLine(string? text) =>
        text is null ? "" : text.Replace("\r\n", " ", StringComparison.Ordinal).Replace('\n', ' ');

    // syslog(3) priorities, as journald reads them from the line's prefix.
    private static int Priority(LogLevel level) => level switch
    {
        LogLevel.Critical => 2,
        LogLevel.Error => 3,
        LogLevel.Warning => 4,
        LogLevel.Information => 6,
        _ => 7,
    };

    private static string Label(LogLevel level) => level switch
    {
        LogLevel.Trace => "trce",
        LogLevel.Debug => "dbug",
        LogLevel.Information => "info",
        LogLevel.Warning => "warn",
        LogLevel.Error => "fail",
        LogLevel.Critical => "crit",
        _ => "none",
    };
}
