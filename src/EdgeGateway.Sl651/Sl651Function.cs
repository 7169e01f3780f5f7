namespace EdgeGateway.Sl651;

/// <summary>
/// Function codes (one byte). A frame may carry a code not listed here; it is kept as its byte value.
/// A downlink confirmation repeats the function code of the frame it confirms.
/// </summary>
public enum Sl651Function : byte
{
    LinkKeepAlive = 0x2F,
    Test = 0x30,
    UniformInterval = 0x31,
    Timed = 0x32,
    Add = 0x33,
    Hourly = 0x34,
    Manual = 0x35,
    QueryRealTime = 0x37,
    QueryElement = 0x3A,
}

/// <summary>Which way a frame travels: the high 4 bits of the direction + length field.</summary>
public enum Sl651Direction
{
    /// <summary>Remote station to centre (<c>0</c>).</summary>
    Up,

    /// <summary>Centre to remote station (<c>8</c>).</summary>
    Down,
}

/// <summary>The end byte before the CRC. Uplink frames end with ETX or ETB, downlink frames with the others.</summary>
public enum Sl651EndByte : byte
{
    /// <summary>Uplink: last (or only) packet.</summary>
    Etx = 0x03,

    /// <summary>Downlink: end of the link, the station may hang up.</summary>
    Eot = 0x04,

    /// <summary>Downlink: a query.</summary>
    Enq = 0x05,

    /// <summary>Downlink: confirmed, go on.</summary>
    Ack = 0x06,

    /// <summary>Downlink: not confirmed, send again.</summary>
    Nak = 0x15,

    /// <summary>Uplink: more packets follow.</summary>
    Etb = 0x17,

    /// <summary>Downlink: confirmed, keep the link online.</summary>
    Esc = 0x1B,
}

/// <summary>Remote station type codes of the report header; each is the ASCII letter of the type.</summary>
public enum Sl651StationType : byte
{
    Pump = 0x44,            // D
    GroundWater = 0x47,     // G
    River = 0x48,           // H
    Intake = 0x49,          // I
    Reservoir = 0x4B,       // K
    SoilMoisture = 0x4D,    // M
    Discharge = 0x4F,       // O
    Rain = 0x50,            // P
    WaterQuality = 0x51,    // Q
    Tide = 0x54,            // T
    Sluice = 0x5A,          // Z
}
