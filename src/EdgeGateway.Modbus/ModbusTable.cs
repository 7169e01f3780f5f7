namespace EdgeGateway.Modbus;

/// <summary>The four Modbus data tables.</summary>
public enum ModbusTable
{
    /// <summary>Read/write bits (FC01, FC05, FC15).</summary>
    Coil,

    /// <summary>Read-only bits (FC02).</summary>
    Discrete,

    /// <summary>Read/write 16-bit registers (FC03, FC06, FC16).</summary>
    Holding,

    /// <summary>Read-only 16-bit registers (FC04).</summary>
    Input,
}
