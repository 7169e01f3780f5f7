namespace EdgeGateway.Sl651;

/// <summary>
/// The only exception the SL 651 decoder throws: <see cref="Error"/> says what is wrong and
/// <see cref="Offset"/> at which byte of the input (0-based), so a technician can find it in a pasted frame.
/// </summary>
public sealed class Sl651FrameException : Exception
{
    public Sl651FrameException(Sl651FrameError error, int offset, string detail)
        : base(offset >= 0 ? $"{detail} (byte {offset})" : detail)
    {
        Error = error;
        Offset = offset;
        Detail = detail;
    }

    public Sl651FrameError Error { get; }

    /// <summary>The 0-based byte of the input where the fault is, or -1 where it is not tied to one byte.</summary>
    public int Offset { get; }

    public string Detail { get; }
}
