using System.CommandLine;
using System.Globalization;
using System.IO.Ports;
using System.Net;
using EdgeGateway.Modbus;
using EdgeGateway.Modbus.Decoding;
using EdgeGateway.Modbus.Simulation;
using EdgeGateway.Modbus.Transports;

namespace EdgeGateway.Cli;

/// <summary>
/// <c>edgegw modbus read</c>: one read (or <c>--repeat N</c> reads) from a Modbus slave, decoded as the station
/// would decode it, for checking a device and its wiring from the station itself.
/// </summary>
internal static class ModbusCommands
{
    private static readonly string[] s_types = ["uint16", "int16", "uint32", "int32", "float32", "uint64", "int64", "float64"];

    public static Command Build()
    {
        var modbus = new Command("modbus", "Talk to Modbus devices directly (RTU or TCP)");
        modbus.Subcommands.Add(BuildRead());
        return modbus.WithExamples(
            "edgegw modbus read --rtu /dev/ttyUSB0 --slave 1 --table holding --address 0");
    }

    private static Command BuildRead()
    {
        var line = new LineOptions();
        var slave = new Option<int>("--slave") { Description = "Slave address (RTU 1-247, TCP unit 0-255)", Required = true };
        var table = new Option<string>("--table") { Description = "holding, input, coil or discrete", Required = true };
        table.AcceptOnlyFromAmong("holding", "input", "coil", "discrete");
        var address = new Option<int>("--address") { Description = "First address (0-based, as on the wire)", Required = true };
        var count = new Option<int>("--count") { Description = "How many values of --type", DefaultValueFactory = _ => 1 };
        var type = new Option<string>("--type") { Description = "Value type of registers (default uint16)" };
        type.AcceptOnlyFromAmong(s_types);
        var order = new Option<string>("--order") { Description = "Byte order: ABCD (default), CDAB, BADC, DCBA" };
        order.AcceptOnlyFromAmong("ABCD", "CDAB", "BADC", "DCBA");
        var scale = new Option<double>("--scale") { Description = "value = raw * scale + offset", DefaultValueFactory = _ => 1 };
        var offset = new Option<double>("--offset") { Description = "Added after scaling", DefaultValueFactory = _ => 0 };
        var timeout = new Option<string>("--timeout") { Description = "Per request", DefaultValueFactory = _ => "500ms" };
        var repeat = new Option<int?>("--repeat") { Description = "Read N times and print a summary line" };
        var interval = new Option<string>("--interval") { Description = "With --repeat: one read every interval (default back to back)" };
        var json = new Option<bool>("--json") { Description = "Machine-readable output" };

        var read = new Command("read", "Read registers, coils or discrete inputs now and print the decoded values");
        line.AddTo(read);
        foreach (var option in new Option[] { slave, table, address, count, type, order, scale, offset, timeout, repeat, interval, json })
        {
            read.Options.Add(option);
        }

        read.SetAction(async (parse, cancellationToken) =>
        {
            var output = parse.InvocationConfiguration.Output;
            var error = parse.InvocationConfiguration.Error;
            var problems = new List<string>();
            var settings = new ReadSettings
            {
                Line = line.Read(parse, problems),
                Slave = parse.GetValue(slave),
                Table = ParseTable(parse.GetValue(table)!),
                Address = parse.GetValue(address),
                Count = parse.GetValue(count),
                Type = parse.GetValue(type),
                Order = parse.GetValue(order) is { } o ? Enum.Parse<ByteOrder>(o) : ByteOrder.ABCD,
                OrderGiven = parse.GetValue(order) is not null,
                Scale = parse.GetValue(scale),
                Offset = parse.GetValue(offset),
                Timeout = ParseDuration(parse.GetValue(timeout), "--timeout", problems, mustBePositive: true) ?? TimeSpan.FromMilliseconds(500),
                Repeat = parse.GetValue(repeat),
                Interval = parse.GetValue(interval) is { } i ? ParseDuration(i, "--interval", problems, mustBePositive: false) : null,
                IntervalGiven = parse.GetValue(interval) is not null,
                Json = parse.GetValue(json),
            };
            settings.Validate(problems);
            if (problems.Count > 0)
            {
                foreach (var problem in problems)
                {
                    await error.WriteLineAsync($"edgegw: modbus read: {problem}").ConfigureAwait(false);
                }

                return await CliUsage.FailAsync(parse, null).ConfigureAwait(false);
            }

            // With --repeat, Ctrl+C ends the run early and still prints the summary of the reads done.
            using var stop = new StopSignals(cancellationToken);
            return await ModbusReader.RunAsync(settings, output, error, stop.Token).ConfigureAwait(false);
        });
        return read.WithExamples(
            "edgegw modbus read --rtu /dev/ttyUSB0 --baud 9600 --slave 1 --table holding --address 0 --type float32",
            "edgegw modbus read --tcp 192.0.2.10 --slave 1 --table input --address 100 --count 4 --repeat 100");
    }

    internal static ModbusTable ParseTable(string text) =>
        ModbusScenario.TryParseTable(text, out var table) ? table : throw new ArgumentOutOfRangeException(nameof(text), text, "unknown table");

    internal static TimeSpan? ParseDuration(string? text, string option, List<string> problems, bool mustBePositive)
    {
        if (!DurationText.TryParse(text, out var duration) || (mustBePositive && duration <= TimeSpan.Zero))
        {
            problems.Add($"{option} '{text}' is not a duration (e.g. 500ms, 2s)");
            return null;
        }

        return duration;
    }
}

/// <summary>The line options shared by <c>modbus read</c> and <c>sim modbus</c>: --tcp, or --rtu with its character format.</summary>
internal sealed class LineOptions
{
    private readonly Option<string> _tcp = new("--tcp") { Description = "Modbus TCP: HOST[:PORT] (port 502 by default)" };
    private readonly Option<string> _rtu = new("--rtu") { Description = "Modbus RTU: serial device, e.g. /dev/ttyUSB0" };
    private readonly Option<int> _baud = new("--baud") { Description = "RTU baud rate", DefaultValueFactory = _ => SerialSettings.DefaultBaudRate };
    private readonly Option<string> _parity = new("--parity") { Description = "RTU parity: none, even, odd", DefaultValueFactory = _ => "none" };
    private readonly Option<int> _stopBits = new("--stop-bits") { Description = "RTU stop bits: 1 or 2", DefaultValueFactory = _ => 1 };

    public LineOptions()
    {
        _parity.AcceptOnlyFromAmong("none", "even", "odd");
        _stopBits.AcceptOnlyFromAmong("1", "2");
    }

    public void AddTo(Command command)
    {
        foreach (var option in new Option[] { _tcp, _rtu, _baud, _parity, _stopBits })
        {
            command.Options.Add(option);
        }
    }

    public LineSettings Read(ParseResult parse, List<string> problems)
    {
        var tcp = parse.GetValue(_tcp);
        var rtu = parse.GetValue(_rtu);
        if ((tcp is null) == (rtu is null))
        {
            problems.Add("give exactly one of --tcp HOST[:PORT] or --rtu DEVICE");
            return new LineSettings(null, 0, null, null);
        }

        if (rtu is not null)
        {
            var baud = parse.GetValue(_baud);
            if (baud <= 0)
            {
                problems.Add($"--baud {baud} must be positive");
                baud = SerialSettings.DefaultBaudRate;
            }

            var parity = parse.GetValue(_parity) switch
            {
                "even" => Parity.Even,
                "odd" => Parity.Odd,
                _ => Parity.None,
            };
            var stopBits = parse.GetValue(_stopBits) == 2 ? StopBits.Two : StopBits.One;
            return new LineSettings(null, 0, new SerialSettings(rtu, baud, parity, stopBits), null);
        }

        if (!TrySplitHostPort(tcp!, out var host, out var port))
        {
            problems.Add($"--tcp '{tcp}' is not HOST[:PORT]");
            return new LineSettings(null, 0, null, null);
        }

        return new LineSettings(host, port, null, tcp);
    }

    /// <summary>HOST, HOST:PORT, [IPv6] or [IPv6]:PORT.</summary>
    internal static bool TrySplitHostPort(string text, out string host, out int port)
    {
        host = text;
        port = TcpTransport.DefaultPort;
        if (text.StartsWith('['))
        {
            var close = text.IndexOf(']', StringComparison.Ordinal);
            if (close < 0)
            {
                return false;
            }

            host = text[1..close];
            var rest = text[(close + 1)..];
            return rest.Length == 0 || (rest[0] == ':' && TryPort(rest[1..], out port));
        }

        var colon = text.LastIndexOf(':');
        if (colon >= 0)
        {
            if (text.IndexOf(':', StringComparison.Ordinal) != colon)
            {
                return IPAddress.TryParse(text, out _); // a bare IPv6 address
            }

            host = text[..colon];
            if (!TryPort(text[(colon + 1)..], out port))
            {
                return false;
            }
        }

        return host.Length > 0;
    }

    private static bool TryPort(string text, out int port) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out port) && port <= 65535;
}

internal sealed record LineSettings(string? Host, int Port, SerialSettings? Serial, string? TcpText);

internal sealed class ReadSettings
{
    public required LineSettings Line { get; init; }

    public required int Slave { get; init; }

    public required ModbusTable Table { get; init; }

    public required int Address { get; init; }

    public required int Count { get; init; }

    public string? Type { get; init; }

    public ByteOrder Order { get; init; }

    public bool OrderGiven { get; init; }

    public double Scale { get; init; }

    public double Offset { get; init; }

    public TimeSpan Timeout { get; init; }

    public int? Repeat { get; init; }

    public TimeSpan? Interval { get; init; }

    public bool IntervalGiven { get; init; }

    public bool Json { get; init; }

    public bool Bits => Table is ModbusTable.Coil or ModbusTable.Discrete;

    public RegisterType RegisterType => Type is null ? RegisterType.UInt16 : ModbusScenario.TryParseType(Type, out var t) ? t : RegisterType.UInt16;

    /// <summary>Registers (or bits) on the wire: count x the type's width.</summary>
    public int Items => Bits ? Count : Count * RegisterDecoder.Width(RegisterType);

    public void Validate(List<string> problems)
    {
        var maxSlave = Line.Serial is null ? 255 : ModbusClient.MaxRtuSlave;
        if (Slave < (Line.Serial is null ? 0 : 1) || Slave > maxSlave)
        {
            problems.Add($"--slave {Slave} must be {(Line.Serial is null ? 0 : 1)} to {maxSlave}");
        }

        if (Address is < 0 or > 65535)
        {
            problems.Add($"--address {Address} must be 0 to 65535");
        }

        if (Bits && (Type is not null || OrderGiven || Scale != 1 || Offset != 0))
        {
            problems.Add($"--type, --order, --scale and --offset apply to registers, not to {Table.ToString().ToLowerInvariant()} bits");
        }

        var max = Bits ? 2000 : 125;
        if (Count < 1 || Items > max)
        {
            problems.Add(Bits
                ? $"--count {Count} must be 1 to 2000"
                : $"--count {Count} of {RegisterType.ToString().ToLowerInvariant()} needs {Items} registers; one request reads 1 to 125");
        }
        else if (Address >= 0 && Address + Items > 65536)
        {
            problems.Add($"--address {Address} with {Items} items runs past address 65535");
        }

        if (!double.IsFinite(Scale) || !double.IsFinite(Offset))
        {
            problems.Add("--scale and --offset must be finite numbers");
        }

        if (Repeat is < 1)
        {
            problems.Add($"--repeat {Repeat} must be at least 1");
        }

        if (IntervalGiven && Repeat is null)
        {
            problems.Add("--interval goes with --repeat");
        }
    }
}
