using Xunit.Abstractions;

namespace EdgeGateway.Sl651.Tests;

/// <summary>
/// Seeded fuzzing: mutations of valid frames (half of them with the CRC fixed up afterwards, so the body
/// parser is reached) and random bytes. No input may make the decoder throw anything but
/// <see cref="Sl651FrameException"/>, and every input it accepts must encode back to itself.
/// </summary>
public sealed class FuzzTests(ITestOutputHelper output)
{
    private const int Inputs = 20_000;

    [Fact]
    public void Decode_MutatedAndRandomInputs_ThrowsOnlyItsOwnErrorAndRoundTripsEveryFrame()
    {
        var random = new Random(651);
        var seeds = Seeds();
        var accepted = 0;
        var rejected = new Dictionary<Sl651FrameError, int>();
        for (var i = 0; i < Inputs; i++)
        {
            var input = i % 10 == 9 ? RandomBytes(random) : Mutate(random, seeds[random.Next(seeds.Length)]);
            Sl651Frame frame;
            try
            {
                frame = Sl651Decoder.Decode(input);
            }
            catch (Sl651FrameException e)
            {
                rejected[e.Error] = rejected.GetValueOrDefault(e.Error) + 1;
                Assert.InRange(e.Offset, -1, input.Length);
                Assert.False(Sl651Decoder.TryDecode(input, out _, out var again));
                Assert.Equal(e.Error, again.Error);
                continue;
            }
            catch (Exception e)
            {
                Assert.Fail($"input {Convert.ToHexString(input)} threw {e.GetType().Name}: {e.Message}");
                throw;
            }

            accepted++;
            Assert.Equal(Convert.ToHexString(input), Convert.ToHexString(Sl651Encoder.Encode(frame)));
        }

        output.WriteLine($"{Inputs} inputs: {accepted} decoded and re-encoded byte for byte; refused: "
            + string.Join(", ", rejected.OrderBy(r => r.Key).Select(r => $"{r.Key} {r.Value}")));

        // The mix must reach both sides and the deep errors, or it proves little.
        Assert.InRange(accepted, 500, Inputs - 500);
        Assert.Contains(Sl651FrameError.BadCrc, rejected.Keys);
        Assert.Contains(Sl651FrameError.InvalidBcd, rejected.Keys);
        Assert.Contains(Sl651FrameError.BadElement, rejected.Keys);
        Assert.Contains(Sl651FrameError.Truncated, rejected.Keys);
    }

    [Fact]
    public void Inspect_MutatedInputs_ThrowsOnlyItsOwnError()
    {
        var random = new Random(6512014);
        var seeds = Seeds();
        for (var i = 0; i < 5_000; i++)
        {
            var input = Mutate(random, seeds[random.Next(seeds.Length)]);
            try
            {
                var decoded = Sl651Decoder.Inspect(input);
                Assert.Equal(Sl651Crc16.Compute(input.AsSpan(0, input.Length - 2)), decoded.ComputedCrc);
            }
            catch (Sl651FrameException)
            {
            }
        }
    }

    private static byte[][] Seeds() =>
    [
        .. OwnVectorTests.Vectors().Select(v => v.Reference),
        Convert.FromHexString(GoldenVectorTests.SampleReport),
        Convert.FromHexString(GoldenVectorTests.SampleConfirmation),
        ReferenceFrame.Build(true, "02", "0012345678", "04D2", "34",
            "0006" + "260630080509" + "F1F1" + "0012345678" + "48" + "F0F0" + "2606300805"
            + "F460000102030405060708090AFF" + "F5C0000100027E7E01000000000500060007000800090010FFFF"
            + "FF0E110035" + "3923FF001250" + "2619AAAAAA", "03"),
        ReferenceFrame.Build(true, "02", "0012345678", "04D2", "32", "0007" + "260630080509" + "2619000100", "17", packet: "003002"),
    ];

    private static byte[] RandomBytes(Random random)
    {
        var bytes = new byte[random.Next(0, 80)];
        random.NextBytes(bytes);
        if (bytes.Length >= 2 && random.Next(2) == 0)
        {
            bytes[0] = 0x7E;
            bytes[1] = 0x7E;
        }

        return bytes;
    }

    private static byte[] Mutate(Random random, byte[] seed)
    {
        var bytes = new List<byte>(seed);
        var edits = random.Next(1, 4);
        for (var e = 0; e < edits; e++)
        {
            switch (random.Next(6))
            {
                case 0 when bytes.Count > 0:
                    var at = random.Next(bytes.Count);
                    bytes[at] ^= (byte)(1 << random.Next(8));
                    break;
                case 1 when bytes.Count > 0:
                    bytes[random.Next(bytes.Count)] = (byte)random.Next(256);
                    break;
                case 2:
                    bytes.Insert(random.Next(bytes.Count + 1), (byte)random.Next(256));
                    break;
                case 3 when bytes.Count > 0:
                    bytes.RemoveAt(random.Next(bytes.Count));
                    break;
                case 4:
                    bytes.RemoveRange(random.Next(bytes.Count + 1) is var cut ? cut : 0, bytes.Count - cut);
                    break;
                default:
                    // A BCD-looking digit swap deep in the body: values change but stay valid often.
                    if (bytes.Count > 20)
                    {
                        bytes[random.Next(14, bytes.Count - 3)] = (byte)((random.Next(10) << 4) | random.Next(10));
                    }

                    break;
            }
        }

        var result = bytes.ToArray();
        if (random.Next(2) == 0 && result.Length > 2)
        {
            var crc = ReferenceFrame.Crc(result[..^2]);
            result[^2] = (byte)(crc >> 8);
            result[^1] = (byte)crc;
        }

        return result;
    }
}
