namespace EdgeGateway.Modbus;

/// <summary>
/// The order in which the bytes of a 32-bit value arrive, naming the value's bytes A (most significant)
/// to D (least significant). 64-bit values follow the same pattern word by word; 16-bit values honour
/// only the byte swap inside a register.
/// </summary>
public enum ByteOrder
{
    /// <summary>Big endian, Modbus's own: registers [A B] [C D] -> value A B C D.</summary>
    ABCD,

    /// <summary>Word swapped: registers [C D] [A B] -> value A B C D (least significant word first).</summary>
    CDAB,

    /// <summary>Byte swapped inside each register: registers [B A] [D C] -> value A B C D.</summary>
    BADC,

    /// <summary>Little endian: registers [D C] [B A] -> value A B C D.</summary>
    DCBA,
}
