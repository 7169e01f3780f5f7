using System.CommandLine;
using EdgeGateway.Sl651;

namespace EdgeGateway.Cli;

/// <summary>
/// <c>edgegw sl651 decode</c>: a frame as a technician copies it from a centre's log or a serial capture,
/// decoded field by field. Only the decoder's own verdict is used, so what it prints is what the station and
/// the centre code would make of the same bytes.
/// </summary>
internal static class Sl651Commands
{
    internal const string ExampleFrame =
        "7E7E 02 0012345678 04D2 32 002B 02 0012 141205110002 F1F1 0012345678 48 F0F0 1412051100 "
        + "20 19 000100 26 19 000100 39 23 00014420 38 12 1220 03 9FE1";

    public static Command Build()
    {
        var sl651 = new Command("sl651", "SL 651-2014 frames (the hydrology and flash-flood platforms' protocol)");
        sl651.Subcommands.Add(BuildDecode().WithExamples(
            "edgegw sl651 decode " + ExampleFrame,
            "edgegw sl651 decode --json " + ExampleFrame));
        return sl651.WithExamples("edgegw sl651 decode " + ExampleFrame);
    }

    private static Command BuildDecode()
    {
        var hex = new Argument<string[]>("HEX")
        {
            Description = "The frame in hex; spaces between bytes or groups are fine (one argument or several)",
            Arity = ArgumentArity.OneOrMore,
        };
        var json = new Option<bool>("--json") { Description = "One JSON object instead of the field-by-field table" };
        var decode = new Command("decode",
            "Decode one SL 651 HEX/BCD frame, up or down: every field, the report's elements, whether the CRC holds.\n"
            + "Exit 0: a frame whose CRC holds; 1: a frame whose CRC does not hold (still decoded); 2: not a frame.");
        decode.Arguments.Add(hex);
        decode.Options.Add(json);
        decode.SetAction(async (parse, cancellationToken) =>
        {
            var output = parse.InvocationConfiguration.Output;
            var error = parse.InvocationConfiguration.Error;
            if (!TryParseHex(string.Join(" ", parse.GetValue(hex)!), out var bytes, out var problem))
            {
                await error.WriteLineAsync($"edgegw: sl651 decode: not hex: {problem}").ConfigureAwait(false);
                return ExitCodes.Usage;
            }

            Sl651Decoded decoded;
            try
            {
                decoded = Sl651Decoder.Inspect(bytes);
            }
            catch (Sl651FrameException e)
            {
                await error.WriteLineAsync($"edgegw: sl651 decode: not a frame: {e.Message}").ConfigureAwait(false);
                return ExitCodes.Usage;
            }

            var text = parse.GetValue(json) ? Sl651FrameText.Json(decoded) : Sl651FrameText.Table(decoded);
            await output.WriteLineAsync(text.AsMemory(), cancellationToken).ConfigureAwait(false);
            if (!decoded.CrcOk)
            {
                await error.WriteLineAsync(
                    $"edgegw: sl651 decode: the CRC does not hold: the frame carries {decoded.ReceivedCrc:X4}, its bytes give {decoded.ComputedCrc:X4}").ConfigureAwait(false);
                return ExitCodes.Failure;
            }

            return ExitCodes.Success;
        });
        return decode;
    }

    /// <summary>Hex digits with optional white space between them; the problem names the character's position (from 1, arguments joined by one space).</summary>
    internal static bool TryParseHex(string text, out byte[] bytes, out string problem)
    {
        var digits = new List<int>(text.Length);
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (char.IsWhiteSpace(c))
            {
                continue;
            }

            if (!char.IsAsciiHexDigit(c))
            {
                bytes = [];
                problem = $"character '{c}' at position {i + 1} is not a hex digit";
                return false;
            }

            digits.Add(Convert.ToInt32(c.ToString(), 16));
        }

        if (digits.Count == 0 || digits.Count % 2 != 0)
        {
            bytes = [];
            problem = digits.Count == 0 ? "no hex digits" : $"{digits.Count} hex digits: a whole number of bytes needs an even count";
            return false;
        }

        bytes = new byte[digits.Count / 2];
        for (var b = 0; b < bytes.Length; b++)
        {
            bytes[b] = (byte)((digits[2 * b] << 4) | digits[(2 * b) + 1]);
        }

        problem = "";
        return true;
    }
}
