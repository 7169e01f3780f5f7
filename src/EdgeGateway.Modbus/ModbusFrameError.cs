namespace EdgeGateway.Modbus;

/// <summary>Why a response frame was rejected. No value is ever taken from a rejected frame.</summary>
public enum ModbusFrameError
{
    /// <summary>RTU: the CRC-16 at the end of the frame does not match its content.</summary>
    BadCrc,

    /// <summary>The frame answers another slave (RTU address or MBAP unit identifier).</summary>
    WrongSlave,

    /// <summary>The function code is neither the request's nor its exception form.</summary>
    WrongFunction,

    /// <summary>A length does not fit: MBAP length field, PDU length, or an exception frame's size.</summary>
    BadLength,

    /// <summary>The byte count of a read response is not the one the request asked for.</summary>
    BadByteCount,

    /// <summary>TCP: the MBAP transaction identifier is not the request's.</summary>
    WrongTransaction,

    /// <summary>TCP: the MBAP protocol identifier is not 0 (Modbus).</summary>
    BadProtocolId,

    /// <summary>The frame stopped before its end: a gap on the line, or the peer closed the connection.</summary>
    Truncated,

    /// <summary>A write response does not echo the request's address, value or quantity.</summary>
    BadEcho,
}
