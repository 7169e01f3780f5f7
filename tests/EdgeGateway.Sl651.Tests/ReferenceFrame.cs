using System.Globalization;
using System.Text;

namespace EdgeGateway.Sl651.Tests;

/// <summary>
/// An independent, deliberately plain writer of SL 651 frames for checking our encoder and decoder: hex text
/// assembled from the standard's description, BCD from decimal digit strings, a bit-by-bit CRC. It shares no
/// code with the product.
/// </summary>
internal static class ReferenceFrame
{
    public static ushort Crc(byte[] data)
    {
        var crc = 0xFFFF;
        foreach (var b in data)
        {
            crc ^= b;
            for (var i = 0; i < 8; i++)
            {
                crc = (crc & 1) == 1 ? (crc >> 1) ^ 0xA001 : crc >> 1;
            }
        }

        return (ushort)crc;
    }

    /// <summary>A BCD number of <paramref name="bytes"/> bytes from its text ("14.42" with 3 decimals: 00014420).</summary>
    public static string Bcd(string value, int bytes, int decimals)
    {
        var negative = value.StartsWith('-');
        var text = negative ? value[1..] : value;
        var parts = text.Split('.');
        var fraction = (parts.Length > 1 ? parts[1] : "").PadRight(decimals, '0');
        var digits = (parts[0] + fraction).TrimStart('0');
        var width = (negative ? bytes - 1 : bytes) * 2;
        if (digits.Length > width)
        {
            throw new ArgumentException("too many digits", nameof(value));
        }

        return (negative ? "FF" : "") + digits.PadLeft(width, '0');
    }

    public static string Element(string id, int bytes, int decimals, string value) =>
        id + ((bytes << 3) | decimals).ToString("X2", CultureInfo.InvariantCulture) + Bcd(value, bytes, decimals);

    public static string Time(DateTime t, bool seconds) =>
        t.ToString(seconds ? "yyMMddHHmmss" : "yyMMddHHmm", CultureInfo.InvariantCulture);

    /// <summary>Header, body and end byte as hex; returns the whole frame with its CRC, high byte first.</summary>
    public static byte[] Build(bool up, string centre, string station, string password, string function, string body, string end, string? packet = null)
    {
        var length = body.Length / 2;
        var text = new StringBuilder("7E7E");
        text.Append(up ? centre + station : station + centre);
        text.Append(password).Append(function);
        text.Append(((up ? 0 : 0x8000) | length).ToString("X4", CultureInfo.InvariantCulture));
        text.Append(packet is null ? "02" : "16" + packet);
        text.Append(body).Append(end);
        var bytes = Convert.FromHexString(text.ToString());
        var crc = Crc(bytes);
        return [.. bytes, (byte)(crc >> 8), (byte)crc];
    }
}
