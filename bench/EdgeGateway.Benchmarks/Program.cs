using System.Diagnostics;
using System.Globalization;
using EdgeGateway.Modbus;

// Our Modbus TCP client in a loop, the same work as bench/modbus_bench_client.c: sequential FC03 reads of
// 10 registers. Usage: EdgeGateway.Benchmarks modbus-tcp HOST PORT SECONDS
// Prints "<transactions> <seconds> <transactions/s> <bytes allocated per transaction>".
if (args.Length != 4 || args[0] != "modbus-tcp")
{
    await Console.Error.WriteLineAsync("usage: EdgeGateway.Benchmarks modbus-tcp HOST PORT SECONDS");
    return 2;
}

var host = args[1];
var port = int.Parse(args[2], CultureInfo.InvariantCulture);
var seconds = double.Parse(args[3], CultureInfo.InvariantCulture);
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
