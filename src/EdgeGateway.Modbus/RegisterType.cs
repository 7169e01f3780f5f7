namespace EdgeGateway.Modbus;

/// <summary>How consecutive 16-bit registers are read as one value.</summary>
public enum RegisterType
{
    UInt16,
    Int16,
    UInt32,
    Int32,
    Float32,
    UInt64,
    Int64,
    Float64,
}
