using System.Diagnostics;
using System.Globalization;
using System.Text;
using EdgeGateway.Modbus;

// Modbus TCP throughput, the same work as bench/modbus_bench_client.c: sequential FC03 reads of 10 registers.
//   modbus-tcp HOST PORT SECONDS   ModbusClient.ReadHoldingRegistersAsync into a reused buffer, in a loop.
//     Prints "<transactions> <seconds> <transactions/s> <bytes allocated per transaction>".
//   cli-read HOST PORT N           `edgegw modbus read --repeat N` run in this process (its Main, output
//     discarded), twice: N and 2N reads. The difference in bytes allocated, over N, is what one more read
//     costs, without the start-up (command-line parsing, connect) that both runs share.
//     Prints "<bytes allocated per transaction> <summary line of the 2N run>".
switch (args)
{
    case ["modbus-tcp", var host, var port, var seconds]:
        return await ClientLoopAsync(host, int.Parse(port, CultureInfo.InvariantCulture), double.Parse(seconds, CultureInfo.InvariantCulture));
    case ["cli-read", var host, var port, var reads]:
        return await CliReadAsync($"{host}:{port}", int.Parse(reads, CultureInfo.InvariantCulture));
    default:
        await Console.Error.WriteLineAsync("usage: EdgeGateway.Benchmarks modbus-tcp HOST PORT SECONDS | cli-read HOST PORT N");
        return 2;
}

static async Task<int> ClientLoopAsync(string host, int port, double seconds)
{
    await using var client = ModbusClient.CreateTcp(host, port, new ModbusClientOptions { Timeout = TimeSpan.FromSeconds(2) });
    var registers = new ushort[10];

    // Warm-up: connect, and let tiered JIT settle on the optimised code.
    for (var i = 0; i < 20_000; i++)
    {
        await client.ReadHoldingRegistersAsync(1, 0, registers);
    }

    var allocated = GC.GetTotalAllocatedBytes(precise: true);
    var watch = Stopwatch.StartNew();
    long n = 0;
    do
    {
        for (var i = 0; i < 100; i++, n++)
        {
            await client.ReadHoldingRegistersAsync(1, 0, registers);
        }

        if (registers[0] != 0x1000 || registers[9] != 0x1009)
        {
            await Console.Error.WriteLineAsync("read: unexpected values");
            return 1;
        }
    }
    while (watch.Elapsed.TotalSeconds < seconds);

    watch.Stop();
    var perTransaction = (GC.GetTotalAllocatedBytes(precise: true) - allocated) / (double)n;
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"{n} {watch.Elapsed.TotalSeconds:0.000} {n / watch.Elapsed.TotalSeconds:0} {perTransaction:0.0}"));
    return 0;
}

static async Task<int> CliReadAsync(string endpoint, int reads)
{
    var stdout = Console.Out;
    var sink = new LastLineWriter();
    Console.SetOut(sink);
    try
    {
        // The first run also loads and compiles the code; its allocations are not counted.
        if (await RunAsync(reads) != 0)
        {
            return 1;
        }

        var before = GC.GetTotalAllocatedBytes(precise: true);
        if (await RunAsync(reads) != 0)
        {
            return 1;
        }

        var once = GC.GetTotalAllocatedBytes(precise: true) - before;
        before = GC.GetTotalAllocatedBytes(precise: true);
        if (await RunAsync(2 * reads) != 0)
        {
            return 1;
        }

        var twice = GC.GetTotalAllocatedBytes(precise: true) - before;
        await stdout.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"{(twice - once) / (double)reads:0.0} {sink.LastLine}"));
        return 0;
    }
    finally
    {
        Console.SetOut(stdout);
    }

    Task<int> RunAsync(int n) => EdgeGateway.Program.Main(
        ["modbus", "read", "--tcp", endpoint, "--slave", "1", "--table", "holding", "--address", "0", "--count", "10",
         "--timeout", "2s", "--repeat", n.ToString(CultureInfo.InvariantCulture)]);
}

/// <summary>Standard output that keeps only its last line: the reads' values cost no memory here.</summary>
internal sealed class LastLineWriter : TextWriter
{
    private readonly char[] _line = new char[4096];
    private int _length;
    private string _last = "";

    public override Encoding Encoding => Encoding.UTF8;

    public string LastLine => _length > 0 ? new string(_line, 0, _length) : _last;

    public override void Write(char value)
    {
        if (value == '\n')
        {
            _last = new string(_line, 0, _length);
            _length = 0;
        }
        else if (_length < _line.Length)
        {
            _line[_length++] = value;
        }
    }

    public override void Write(ReadOnlySpan<char> buffer)
    {
        foreach (var c in buffer)
        {
            // Only the summary line is ever read; the values' lines are dropped as they pass.
            if (c == '\n')
            {
                _length = 0;
                continue;
            }

            if (_length < _line.Length)
            {
                _line[_length++] = c;
            }
        }
    }

    public override void Write(char[] buffer, int index, int count) => Write(buffer.AsSpan(index, count));

    public override void Write(string? value) => Write(value.AsSpan());

    public override void WriteLine(string? value)
    {
        Write(value.AsSpan());
        Write('\n');
    }

    public override Task WriteAsync(ReadOnlyMemory<char> buffer, CancellationToken cancellationToken = default)
    {
        Write(buffer.Span);
        return Task.CompletedTask;
    }

    public override Task WriteLineAsync(string? value)
    {
        WriteLine(value);
        return Task.CompletedTask;
    }
}
