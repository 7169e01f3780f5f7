using System.Buffers.Binary;
using EdgeGateway.Modbus.Tests.Support;

namespace EdgeGateway.Modbus.Tests;

/// <summary>
/// Seeded, reproducible fuzzing of the response path: tens of thousands of random and mutated answers to
/// random requests, over RTU and TCP framing. Each must end in a value or a <see cref="ModbusException"/>;
/// any other exception (index out of range, overflow, ...) is a bug, and an unmutated answer must decode to
/// exactly what was sent.
/// </summary>
public sealed class ResponseFuzzTests
{
    private const int Seed = 20260701;
    private const int Iterations = 20_000;

    private enum Mutation
    {
        None,
        RandomBytes,
        FlipBits,
        Truncate,
        Extend,
        CorruptField,
        Splice,
    }

    [Fact]
    public async Task Responses_RandomAndMutated_EndInValueOrProtocolError()
    {
        var random = new Random(Seed);
        var outcomes = new Dictionary<string, int>();
        var answer = Array.Empty<byte>();
        var transport = new ScriptedTransport(_ => [answer]) { EndOfAnswer = ScriptedTransport.End.Closed };
        var rtu = new ModbusClient(transport, ModbusFraming.Rtu, new ModbusClientOptions { Timeout = TimeSpan.FromSeconds(5) });
        ushort transaction = 0;

        // The answer was built for the transaction id the test expects; a request re-sent after a reconnect
        // carries the next id, so the answer's id keeps its offset from the request's.
        var tcpTransport = new ScriptedTransport(request =>
        {
            var shifted = (byte[])answer.Clone();
            if (shifted.Length >= 2)
            {
                var offset = (ushort)(Frames.TransactionOf(request) - transaction);
                BinaryPrimitives.WriteUInt16BigEndian(shifted, (ushort)(BinaryPrimitives.ReadUInt16BigEndian(shifted) + offset));
            }

            return [shifted];
        })
        { EndOfAnswer = ScriptedTransport.End.Closed };
        var tcp = new ModbusClient(tcpTransport, ModbusFraming.Tcp, new ModbusClientOptions { Timeout = TimeSpan.FromSeconds(5) });

        for (var i = 0; i < Iterations; i++)
        {
            var useTcp = random.Next(2) == 0;
            var client = useTcp ? tcp : rtu;
            var slave = (byte)random.Next(1, 248);
            var function = (ModbusFunction)(new byte[] { 1, 2, 3, 4, 5, 6, 15, 16 })[random.Next(8)];
            var address = (ushort)random.Next(0, 60000);
            var count = function switch
            {
                ModbusFunction.ReadCoils or ModbusFunction.ReadDiscreteInputs => random.Next(1, 2001),
                ModbusFunction.ReadHoldingRegisters or ModbusFunction.ReadInputRegisters => random.Next(1, 126),
                ModbusFunction.WriteMultipleCoils => random.Next(1, 1969),
                ModbusFunction.WriteMultipleRegisters => random.Next(1, 124),
                _ => 1,
            };
            var data = new byte[function is ModbusFunction.ReadCoils or ModbusFunction.ReadDiscreteInputs ? (count + 7) / 8 : count * 2];
            random.NextBytes(data);
            if (function is ModbusFunction.ReadCoils or ModbusFunction.ReadDiscreteInputs && count % 8 != 0)
            {
                data[^1] &= (byte)((1 << (count % 8)) - 1);
            }

            var writeValue = (ushort)random.Next(0, 65536);
            var pdu = GoodPdu(function, address, count, data, writeValue);
            if (useTcp)
            {
                transaction = (ushort)(Frames.TransactionOf(tcpTransport.Written.LastOrDefault() ?? new byte[2]) + 1);
            }

            var mutation = (Mutation)random.Next(0, 7);
            var good = useTcp ? Frames.Tcp(transaction, slave, pdu) : Frames.Rtu(slave, pdu);
            answer = Mutate(random, good, mutation, useTcp);

            string outcome;
            try
            {
                var value = await Call(client, function, slave, address, count, writeValue);
                if (mutation == Mutation.None)
                {
                    Assert.Equal(Expected(function, data, count), value);
                }

                outcome = "value";
            }
            catch (ModbusException e)
            {
                Assert.True(mutation != Mutation.None, $"iteration {i} ({(useTcp ? "TCP" : "RTU")}, {function}): a good answer was refused: {e.Message} answer {Convert.ToHexString(answer)} written {Convert.ToHexString((useTcp ? tcpTransport : transport).Written[^1])}");
                outcome = e is ModbusFrameException frame ? frame.Reason.ToString() : e.GetType().Name;
            }
            catch (Exception e) when (e is not Xunit.Sdk.XunitException)
            {
                Assert.Fail($"seed {Seed} iteration {i} ({(useTcp ? "TCP" : "RTU")}, {function}, {mutation}): {e.GetType().Name}: {e.Message}\n" +
                    $"answer {Convert.ToHexString(answer)}");
                throw;
            }

            outcomes[outcome] = outcomes.GetValueOrDefault(outcome) + 1;
        }

        // The mutations reach the checks they are meant for, not only one of them.
        foreach (var reason in new[] { "value", "BadCrc", "WrongSlave", "WrongFunction", "BadLength", "BadByteCount", "Truncated", "WrongTransaction", "BadProtocolId" })
        {
            Assert.True(outcomes.GetValueOrDefault(reason) > 30, $"{reason}: {outcomes.GetValueOrDefault(reason)} ({string.Join(", ", outcomes)})");
        }
    }

    private static byte[] GoodPdu(ModbusFunction function, ushort address, int count, byte[] data, ushort writeValue)
    {
        var f = (byte)function;
        return function switch
        {
            ModbusFunction.WriteSingleCoil => [f, (byte)(address >> 8), (byte)address, 0xFF, 0x00],
            ModbusFunction.WriteSingleRegister => [f, (byte)(address >> 8), (byte)address, (byte)(writeValue >> 8), (byte)writeValue],
            ModbusFunction.WriteMultipleCoils or ModbusFunction.WriteMultipleRegisters =>
                [f, (byte)(address >> 8), (byte)address, (byte)(count >> 8), (byte)count],
            _ => [f, (byte)data.Length, .. data],
        };
    }

    private static async Task<object?> Call(ModbusClient client, ModbusFunction function, byte slave, ushort address, int count, ushort writeValue)
    {
        switch (function)
        {
            case ModbusFunction.ReadCoils:
                return await client.ReadCoilsAsync(slave, address, (ushort)count);
            case ModbusFunction.ReadDiscreteInputs:
                return await client.ReadDiscreteInputsAsync(slave, address, (ushort)count);
            case ModbusFunction.ReadHoldingRegisters:
                return await client.ReadHoldingRegistersAsync(slave, address, (ushort)count);
            case ModbusFunction.ReadInputRegisters:
                return await client.ReadInputRegistersAsync(slave, address, (ushort)count);
            case ModbusFunction.WriteSingleCoil:
                await client.WriteSingleCoilAsync(slave, address, true);
                return null;
            case ModbusFunction.WriteSingleRegister:
                await client.WriteSingleRegisterAsync(slave, address, writeValue);
                return null;
            case ModbusFunction.WriteMultipleCoils:
                await client.WriteMultipleCoilsAsync(slave, address, new bool[count]);
                return null;
            default:
                await client.WriteMultipleRegistersAsync(slave, address, new ushort[count]);
                return null;
        }
    }

    private static object? Expected(ModbusFunction function, byte[] data, int count) => function switch
    {
        ModbusFunction.ReadCoils or ModbusFunction.ReadDiscreteInputs =>
            Enumerable.Range(0, count).Select(i => (data[i / 8] & (1 << (i % 8))) != 0).ToArray(),
        ModbusFunction.ReadHoldingRegisters or ModbusFunction.ReadInputRegisters =>
            Enumerable.Range(0, count).Select(i => BinaryPrimitives.ReadUInt16BigEndian(data.AsSpan(2 * i))).ToArray(),
        _ => null,
    };

    private static byte[] Mutate(Random random, byte[] good, Mutation mutation, bool tcp)
    {
        switch (mutation)
        {
            case Mutation.None:
                return good;
            case Mutation.RandomBytes:
                var noise = new byte[random.Next(0, 300)];
                random.NextBytes(noise);
                return noise;
            case Mutation.FlipBits:
                var flipped = (byte[])good.Clone();
                for (var n = random.Next(1, 4); n > 0; n--)
                {
                    flipped[random.Next(flipped.Length)] ^= (byte)(1 << random.Next(8));
                }

                return flipped;
            case Mutation.Truncate:
                return good[..random.Next(0, good.Length)];
            case Mutation.Extend:
                var tail = new byte[random.Next(1, 20)];
                random.NextBytes(tail);
                return [.. good, .. tail];
            case Mutation.CorruptField:
                var corrupt = (byte[])good.Clone();
                // The fields the checks key on: TCP transaction, protocol, length, unit, function, byte count;
                // RTU slave, function, byte count and CRC.
                var fields = tcp ? new[] { 0, 1, 2, 3, 4, 5, 6, 7, 8 } : [0, 1, 2, good.Length - 1, good.Length - 2];
                corrupt[fields[random.Next(fields.Length)]] = (byte)random.Next(256);
                return corrupt;
            default:
                var cut = random.Next(1, good.Length);
                var junk = new byte[random.Next(1, 8)];
                random.NextBytes(junk);
                return [.. good[..cut], .. junk, .. good[cut..]];
        }
    }
}
