using System.Globalization;
using System.Text;
using System.Text.Json;
using EdgeGateway.Modbus;
using EdgeGateway.Modbus.Decoding;

namespace EdgeGateway.Cli;

/// <summary>Runs <c>modbus read</c>: the reads, their output, and the <c>--repeat</c> summary.</summary>
internal static class ModbusReader
{
    public static async Task<int> RunAsync(ReadSettings settings, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        var options = new ModbusClientOptions { Timeout = settings.Timeout, Retries = 0 };
        await using var client = settings.Line.Serial is { } serial
            ? ModbusClient.CreateRtu(serial, options)
            : ModbusClient.CreateTcp(settings.Line.Host!, settings.Line.Port, options);

        var time = TimeProvider.System;
        var runs = settings.Repeat ?? 1;
        var answered = new List<double>(Math.Min(runs, 100_000));
        var (transactions, errors, timeouts) = (0, 0, 0);
        var started = time.GetTimestamp();
        try
        {
            for (var n = 0; n < runs; n++)
            {
                if (n > 0 && settings.Interval is { } interval && interval > TimeSpan.Zero)
                {
                    // Fixed rate: read n is due n intervals after the first, however long the reads took.
                    var wait = (interval * n) - time.GetElapsedTime(started);
                    if (wait > TimeSpan.Zero)
                    {
                        await Task.Delay(wait, time, cancellationToken).ConfigureAwait(false);
                    }
                }

                var prefix = settings.Repeat is null ? "" : $"read {n + 1}: ";
                var sent = time.GetTimestamp();
                transactions++;
                try
                {
                    var words = await client.ReadAsync((byte)settings.Slave, settings.Table, (ushort)settings.Address, (ushort)settings.Items, cancellationToken).ConfigureAwait(false);
                    answered.Add(time.GetElapsedTime(sent).TotalMilliseconds);
                    await output.WriteAsync(Format(settings, words)).ConfigureAwait(false);
                }
                catch (ModbusException e)
                {
                    errors++;
                    if (e is ModbusTimeoutException)
                    {
                        timeouts++;
                    }
                    else if (e is ModbusExceptionResponse)
                    {
                        answered.Add(time.GetElapsedTime(sent).TotalMilliseconds);
                    }

                    await error.WriteLineAsync($"edgegw: modbus read: {prefix}{Describe(e, settings)}").ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Interrupted: the summary covers the reads done so far.
        }

        if (settings.Repeat is not null)
        {
            var elapsed = time.GetElapsedTime(started);
            await output.WriteLineAsync(Summary(settings.Json, transactions, errors, timeouts, answered, elapsed)).ConfigureAwait(false);
        }

        return errors == 0 && !cancellationToken.IsCancellationRequested ? ExitCodes.Success : ExitCodes.Failure;
    }

    internal static string Describe(ModbusException e, ReadSettings settings) => e switch
    {
        ModbusExceptionResponse r => $"slave {settings.Slave} answered exception {(byte)r.Code} ({r.CodeName})",
        ModbusTimeoutException t => $"timeout: no response from slave {settings.Slave} within {t.Timeout.TotalMilliseconds.ToString("0.###", CultureInfo.InvariantCulture)} ms",
        ModbusFrameException f => $"bad frame from slave {settings.Slave} ({f.Reason}): {f.Detail}",
        _ => e.Message,
    };

    /// <summary>Text: one decoded value per line. JSON: <c>{"registers":[...],"values":[...]}</c> on one line.</summary>
    internal static string Format(ReadSettings settings, ushort[] words)
    {
        if (settings.Json)
        {
            using var buffer = new MemoryStream();
            using (var json = new Utf8JsonWriter(buffer))
            {
                json.WriteStartObject();
                json.WriteStartArray("registers");
                foreach (var word in words)
                {
                    json.WriteNumberValue(word);
                }

                json.WriteEndArray();
                json.WriteStartArray("values");
                if (settings.Bits)
                {
                    foreach (var word in words)
                    {
                        json.WriteNumberValue(word);
                    }
                }
                else
                {
                    ForEachValue(settings, words, json, static (j, v) => WriteJson(j, v));
                }

                json.WriteEndArray();
                json.WriteEndObject();
            }

            return Encoding.UTF8.GetString(buffer.ToArray()) + "\n";
        }

        var text = new StringBuilder();
        if (settings.Bits)
        {
            foreach (var word in words)
            {
                text.Append(word).Append('\n');
            }
        }
        else
        {
            ForEachValue(settings, words, text, static (t, v) => t.Append(v.Text).Append('\n'));
        }

        return text.ToString();
    }

    internal static string Summary(bool json, int transactions, int errors, int timeouts, List<double> answered, TimeSpan elapsed)
    {
        var sorted = answered.Order().ToArray();
        double? min = sorted.Length > 0 ? sorted[0] : null;
        double? max = sorted.Length > 0 ? sorted[^1] : null;
        double? median = sorted.Length == 0 ? null
            : sorted.Length % 2 == 1 ? sorted[sorted.Length / 2]
            : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
        var rate = elapsed > TimeSpan.Zero ? transactions / elapsed.TotalSeconds : 0;
        if (json)
        {
            return JsonSerializer.Serialize(new SummaryJson(transactions, errors, timeouts, Round(min), Round(median), Round(max), Math.Round(rate, 1)), SummaryJsonContext.Default.SummaryJson);
        }

        return string.Create(CultureInfo.InvariantCulture,
            $"transactions={transactions} errors={errors} timeouts={timeouts} min={Ms(min)} median={Ms(median)} max={Ms(max)} rate={rate:0.0}/s");

        static string Ms(double? ms) => ms is { } v ? v.ToString("0.00", CultureInfo.InvariantCulture) + "ms" : "-";
        static double? Round(double? ms) => ms is { } v ? Math.Round(v, 3) : null;
    }

    private readonly record struct Decoded(string Text, double Number, ulong? Unsigned, long? Signed);

    /// <summary>
    /// Decodes each value. Unscaled values print exactly as their type holds them (64-bit integers in full,
    /// float32 in its own shortest round-trip form); scaled ones as the shortest round-trip double.
    /// </summary>
    private static void ForEachValue<T>(ReadSettings settings, ushort[] words, T sink, Action<T, Decoded> write)
    {
        var type = settings.RegisterType;
        var width = RegisterDecoder.Width(type);
        var raw = settings.Scale == 1 && settings.Offset == 0;
        for (var i = 0; i < settings.Count; i++)
        {
            var registers = words.AsSpan(i * width, width);
            if (!raw)
            {
                var value = RegisterDecoder.Decode(registers, type, settings.Order, settings.Scale, settings.Offset);
                write(sink, new Decoded(value.ToString("R", CultureInfo.InvariantCulture), value, null, null));
                continue;
            }

            var bits = RegisterDecoder.ReadBits(registers, width, settings.Order);
            var decoded = type switch
            {
                RegisterType.UInt16 or RegisterType.UInt32 or RegisterType.UInt64 =>
                    new Decoded(bits.ToString(CultureInfo.InvariantCulture), bits, bits, null),
                RegisterType.Int16 => Signed((short)bits),
                RegisterType.Int32 => Signed((int)bits),
                RegisterType.Int64 => Signed((long)bits),
                RegisterType.Float32 => FromFloat(BitConverter.UInt32BitsToSingle((uint)bits)),
                _ => FromDouble(BitConverter.UInt64BitsToDouble(bits)),
            };
            write(sink, decoded);
        }

        static Decoded Signed(long v) => new(v.ToString(CultureInfo.InvariantCulture), v, null, v);
        static Decoded FromFloat(float f) => new(f.ToString("R", CultureInfo.InvariantCulture), double.Parse(f.ToString("R", CultureInfo.InvariantCulture), CultureInfo.InvariantCulture), null, null);
        static Decoded FromDouble(double d) => new(d.ToString("R", CultureInfo.InvariantCulture), d, null, null);
    }

    private static void WriteJson(Utf8JsonWriter json, Decoded value)
    {
        if (value.Unsigned is { } u)
        {
            json.WriteNumberValue(u);
        }
        else if (value.Signed is { } s)
        {
            json.WriteNumberValue(s);
        }
        else if (double.IsFinite(value.Number))
        {
            // The text form is already the shortest round-trip; write it as the JSON number.
            json.WriteRawValue(value.Text, skipInputValidation: false);
        }
        else
        {
            json.WriteNullValue(); // NaN and infinities (a sensor's "no value") have no JSON number.
        }
    }
}

internal sealed record SummaryJson(int Transactions, int Errors, int Timeouts, double? MinMs, double? MedianMs, double? MaxMs, double Rate);
