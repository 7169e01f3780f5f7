using System.Globalization;
using System.Text.Json;
using EdgeGateway.Modbus;

namespace EdgeGateway.Cli;

/// <summary>
/// Runs <c>modbus read</c>: the reads, their output, and the <c>--repeat</c> summary.
/// <para>
/// With <c>--repeat</c> this is a technician's wire check and a throughput bench, so a read costs what the
/// station's own poll costs and no more: the words land in one reused buffer, values are formatted into one
/// reused character buffer, and the output goes out in blocks (when the buffer fills, before an error line or
/// an <c>--interval</c> wait, and at least every <see cref="FlushEvery"/>), not one write(2) per read.
/// </para>
/// </summary>
internal static class ModbusReader
{
    /// <summary>Longest time a read's output may wait in the buffer, so a slow line still shows its values live.</summary>
    internal static readonly TimeSpan FlushEvery = TimeSpan.FromMilliseconds(100);

    public static async Task<int> RunAsync(ReadSettings settings, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        var options = new ModbusClientOptions { Timeout = settings.Timeout, Retries = 0 };
        await using var client = settings.Line.Serial is { } serial
            ? ModbusClient.CreateRtu(serial, options)
            : ModbusClient.CreateTcp(settings.Line.Host!, settings.Line.Port, options);

        var time = TimeProvider.System;
        var runs = settings.Repeat ?? 1;
        var answered = new LatencySummary();
        var (transactions, errors, timeouts) = (0, 0, 0);
        using var format = new ReadFormat(settings);
        var words = new ushort[settings.Items];
        var pending = new PendingOutput(output, Math.Max(16 * 1024, 2 * format.MaxChars), time);
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
                        await pending.FlushAsync().ConfigureAwait(false);
                        await Task.Delay(wait, time, cancellationToken).ConfigureAwait(false);
                    }
                }

                var sent = time.GetTimestamp();
                transactions++;
                try
                {
                    await client.ReadAsync((byte)settings.Slave, settings.Table, (ushort)settings.Address, words, cancellationToken).ConfigureAwait(false);
                    answered.Add(time.GetElapsedTime(sent).TotalMilliseconds);
                    pending.Advance(format.Write(words, pending.Free(format.MaxChars)));
                    await pending.FlushIfDueAsync(format.MaxChars).ConfigureAwait(false);
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

                    // The values before it first, so that the two streams read in order on one terminal.
                    await pending.FlushAsync().ConfigureAwait(false);
                    var prefix = settings.Repeat is null ? "" : $"read {n + 1}: ";
                    await error.WriteLineAsync($"edgegw: modbus read: {prefix}{Describe(e, settings)}").ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Interrupted: the summary covers the reads done so far.
        }

        await pending.FlushAsync().ConfigureAwait(false);
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

    internal static string Summary(bool json, int transactions, int errors, int timeouts, LatencySummary answered, TimeSpan elapsed)
    {
        var (min, median, max) = (answered.Min, answered.Median(), answered.Max);
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
}

internal sealed record SummaryJson(int Transactions, int Errors, int Timeouts, double? MinMs, double? MedianMs, double? MaxMs, double Rate);
