using System.Globalization;
using EdgeGateway.Modbus.Decoding;

namespace EdgeGateway.Modbus.Simulation;

/// <summary>One change a scenario makes to the register map at a time offset from its start.</summary>
public sealed record ScenarioStep(TimeSpan At, byte Slave, ModbusTable Table, ushort Address, RegisterType Type, ByteOrder Order, double Value, int Line)
{
    /// <summary>The value's bits as <see cref="Type"/>, parsed exactly from the file (64-bit integers in full).</summary>
    public ulong Bits { get; init; }

    /// <summary>Applies the step to the map (creating the slave if needed).</summary>
    public void Apply(ModbusRegisterMap map)
    {
        ArgumentNullException.ThrowIfNull(map);
        var slave = map.Slave(Slave);
        if (Table is ModbusTable.Coil or ModbusTable.Discrete)
        {
            slave.SetBit(Table, Address, Value != 0);
        }
        else
        {
            slave.SetValueBits(Table, Address, Bits, RegisterDecoder.Width(Type), Order);
        }
    }

    public override string ToString() => Table is ModbusTable.Coil or ModbusTable.Discrete
        ? FormattableString.Invariant($"t={DurationText.Format(At)} slave {Slave} {Table.ToString().ToLowerInvariant()} {Address} = {(Value != 0 ? 1 : 0)}")
        : FormattableString.Invariant($"t={DurationText.Format(At)} slave {Slave} {Table.ToString().ToLowerInvariant()} {Address} {Type.ToString().ToLowerInvariant()} {Order} = {Value.ToString("R", CultureInfo.InvariantCulture)}");
}

/// <summary>
/// A simulator scenario: a CSV file of register changes over time.
/// <code>
/// time,slave,table,address,type,order,value
/// 0s,1,holding,0,float32,ABCD,1.25       # river level 1.25 m from the start
/// 2m,1,holding,0,float32,ABCD,3.4
/// 0s,2,input,10,uint32,CDAB,1200
/// 10s,1,coil,3,,,1                        # type and order are empty for coils and discrete inputs
/// </code>
/// <c>time</c> is an offset from the start (500ms, 90s, 1m30s, 00:01:30); <c>table</c> holding, input, coil or
/// discrete; <c>type</c> uint16 (default), int16, uint32, int32, float32, uint64, int64, float64; <c>order</c>
/// ABCD (default), CDAB, BADC, DCBA. <c>#</c> starts a comment; blank lines are ignored.
/// </summary>
public sealed class ModbusScenario
{
    public const string Header = "time,slave,table,address,type,order,value";

    private ModbusScenario(IReadOnlyList<ScenarioStep> steps) => Steps = steps;

    /// <summary>The steps in time order (steps at the same time keep their file order).</summary>
    public IReadOnlyList<ScenarioStep> Steps { get; }

    /// <summary>Parses scenario text; every problem is reported as "NAME:LINE: message".</summary>
    public static ModbusScenario Parse(string text, string name, out IReadOnlyList<string> errors)
    {
        ArgumentNullException.ThrowIfNull(text);
        var problems = new List<string>();
        var steps = new List<ScenarioStep>();
        var headerSeen = false;
        var lines = text.Split('\n');
        for (var n = 0; n < lines.Length; n++)
        {
            var lineNumber = n + 1;
            var line = lines[n];
            var hash = line.IndexOf('#', StringComparison.Ordinal);
            if (hash >= 0)
            {
                line = line[..hash];
            }

            line = line.Trim();
            if (line.Length == 0)
            {
                continue;
            }

            if (!headerSeen)
            {
                headerSeen = true;
                if (!string.Equals(line.Replace(" ", "", StringComparison.Ordinal), Header, StringComparison.OrdinalIgnoreCase))
                {
                    problems.Add($"{name}:{lineNumber}: the first line must be the header '{Header}'");
                    break;
                }

                continue;
            }

            if (TryParseStep(line, lineNumber, out var step, out var error))
            {
                steps.Add(step);
            }
            else
            {
                problems.Add($"{name}:{lineNumber}: {error}");
            }
        }

        if (!headerSeen)
        {
            problems.Add($"{name}:1: empty scenario: the header '{Header}' is missing");
        }

        errors = problems;
        return new ModbusScenario([.. steps.OrderBy(s => s.At)]);
    }

    private static bool TryParseStep(string line, int lineNumber, out ScenarioStep step, out string error)
    {
        step = null!;
        var fields = line.Split(',');
        if (fields.Length != 7)
        {
            error = $"expected 7 fields (time,slave,table,address,type,order,value), found {fields.Length}";
            return false;
        }

        for (var i = 0; i < fields.Length; i++)
        {
            fields[i] = fields[i].Trim();
        }

        if (!DurationText.TryParse(fields[0], out var at))
        {
            error = $"time '{fields[0]}' is not a duration (e.g. 0s, 500ms, 1m30s)";
            return false;
        }

        if (!byte.TryParse(fields[1], NumberStyles.None, CultureInfo.InvariantCulture, out var slave) || slave > 247)
        {
            error = $"slave '{fields[1]}' must be 0 to 247";
            return false;
        }

        if (!TryParseTable(fields[2], out var table))
        {
            error = $"table '{fields[2]}' must be holding, input, coil or discrete";
            return false;
        }

        if (!ushort.TryParse(fields[3], NumberStyles.None, CultureInfo.InvariantCulture, out var address))
        {
            error = $"address '{fields[3]}' must be 0 to 65535";
            return false;
        }

        var isBit = table is ModbusTable.Coil or ModbusTable.Discrete;
        var type = RegisterType.UInt16;
        var order = ByteOrder.ABCD;
        ulong bits = 0;
        if (isBit)
        {
            if (fields[4].Length > 0 || fields[5].Length > 0)
            {
                error = $"type and order are left empty for {fields[2]}";
                return false;
            }
        }
        else
        {
            if (fields[4].Length > 0 && !TryParseType(fields[4], out type))
            {
                error = $"type '{fields[4]}' must be uint16, int16, uint32, int32, float32, uint64, int64 or float64";
                return false;
            }

            if (fields[5].Length > 0 && !Enum.TryParse(fields[5], ignoreCase: false, out order))
            {
                error = $"order '{fields[5]}' must be ABCD, CDAB, BADC or DCBA";
                return false;
            }
        }

        if (!double.TryParse(fields[6], NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && !TryParseBool(fields[6], out value))
        {
            error = $"value '{fields[6]}' is not a number";
            return false;
        }

        if (isBit)
        {
            if (value is not (0 or 1))
            {
                error = $"value '{fields[6]}' of a {fields[2]} must be 0 or 1";
                return false;
            }
        }
        else if (!TryGetBits(fields[6], value, type, out bits))
        {
            error = $"value '{fields[6]}' does not fit {type.ToString().ToLowerInvariant()}";
            return false;
        }

        var width = isBit ? 1 : RegisterDecoder.Width(type);
        if (address + width > 65536)
        {
            error = $"a {type} at address {address} runs past 65535";
            return false;
        }

        step = new ScenarioStep(at, slave, table, address, type, order, value, lineNumber) { Bits = bits };
        error = "";
        return true;
    }

    /// <summary>Integers are parsed exactly (all 64 bits); floats through their IEEE bits.</summary>
    private static bool TryGetBits(string text, double value, RegisterType type, out ulong bits)
    {
        bits = 0;
        if (type is RegisterType.UInt64 && ulong.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var u))
        {
            bits = u;
            return true;
        }

        if (type is RegisterType.Int64 && long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var l))
        {
            bits = (ulong)l;
            return true;
        }

        try
        {
            bits = RegisterDecoder.ToBits(value, type);
            return true;
        }
        catch (OverflowException)
        {
            return false;
        }
    }

    public static bool TryParseTable(string text, out ModbusTable table)
    {
        (var ok, table) = text switch
        {
            "holding" => (true, ModbusTable.Holding),
            "input" => (true, ModbusTable.Input),
            "coil" => (true, ModbusTable.Coil),
            "discrete" => (true, ModbusTable.Discrete),
            _ => (false, default),
        };
        return ok;
    }

    public static bool TryParseType(string text, out RegisterType type)
    {
        (var ok, type) = text switch
        {
            "uint16" => (true, RegisterType.UInt16),
            "int16" => (true, RegisterType.Int16),
            "uint32" => (true, RegisterType.UInt32),
            "int32" => (true, RegisterType.Int32),
            "float32" => (true, RegisterType.Float32),
            "uint64" => (true, RegisterType.UInt64),
            "int64" => (true, RegisterType.Int64),
            "float64" => (true, RegisterType.Float64),
            _ => (false, default),
        };
        return ok;
    }

    private static bool TryParseBool(string text, out double value)
    {
        (var ok, value) = text switch
        {
            "true" or "on" => (true, 1.0),
            "false" or "off" => (true, 0.0),
            _ => (false, 0.0),
        };
        return ok;
    }
}
