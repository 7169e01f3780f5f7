namespace EdgeGateway.Sl651;

/// <summary>Why bytes are not an SL 651 HEX/BCD frame (or a frame cannot be encoded). One code per kind of fault.</summary>
public enum Sl651FrameError
{
    /// <summary>The bytes end before the frame does (the length field asks for more).</summary>
    Truncated,

    /// <summary>The first two bytes are not <c>7E 7E</c>.</summary>
    BadStart,

    /// <summary>The high 4 bits of the direction + length field are neither 0 (up) nor 8 (down).</summary>
    BadDirection,

    /// <summary>The start-of-text byte is neither <c>02</c> STX nor <c>16</c> SYN.</summary>
    BadStartOfText,

    /// <summary>The length field is too small for a serial number and a send time, or a multi-packet header is impossible.</summary>
    BadLength,

    /// <summary>The end byte is not one the frame's direction allows.</summary>
    BadEndByte,

    /// <summary>The CRC-16 after the end byte does not match the frame.</summary>
    BadCrc,

    /// <summary>Bytes follow the CRC: the input holds more than one frame or trailing garbage.</summary>
    TrailingBytes,

    /// <summary>A BCD field holds a nibble above 9.</summary>
    InvalidBcd,

    /// <summary>A BCD time is not a date and time (month 13, hour 24, ...).</summary>
    BadTime,

    /// <summary>A report's station header (<c>F1 F1</c>) or observation time (<c>F0 F0</c>) is cut short or malformed.</summary>
    BadReportHeader,

    /// <summary>An element's definition byte or value does not fit: zero length, runs past the body, non-canonical value.</summary>
    BadElement,

    /// <summary>Encoding: a value does not fit its identifier's length and decimals, or a field is out of range.</summary>
    ValueOutOfRange,
}
