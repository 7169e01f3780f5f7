namespace EdgeGateway.Modbus;

/// <summary>How PDUs are framed on the transport.</summary>
public enum ModbusFraming
{
    /// <summary>
    /// RTU: <c>[slave] [PDU] [CRC lo] [CRC hi]</c>, frames delimited by 3.5 character times of silence.
    /// Used on serial lines, and over TCP by some serial gateways ("RTU over TCP").
    /// </summary>
    Rtu,

    /// <summary>
    /// Modbus TCP: the MBAP header <c>[transaction hi lo] [protocol 0 0] [length hi lo] [unit]</c>, then the PDU;
    /// length counts the unit byte and the PDU.
    /// </summary>
    Tcp,
}
