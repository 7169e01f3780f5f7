using System.Buffers.Binary;

namespace EdgeGateway.Uplink.Outbox;

/// <summary>
/// The seq high-water mark: the highest seq the outbox may hand out, written and fsync'd before any seq
/// above the previous mark is given, so a restart after kill -9 or a power cut continues above every seq
/// that could have been seen.
/// </summary>
/// <remarks>
/// <para>A file of its own rather than a row of the outbox database: it is made once at its full size and
/// then only overwritten in place, which needs no new blocks, so reserving keeps working on a full disk
/// where a SQLite commit (a growing WAL) does not.</para>
/// <para>Layout: two slots, one per 512-byte sector, each 24 bytes little-endian:
/// <c>[generation][mark * 2 + clean][generation ^ value ^ Check]</c>. Writes alternate between the slots,
/// so a write torn by a power cut spoils at most the slot being written and the other still holds the
/// previous mark; the valid slot with the higher generation wins. <c>clean</c> says the mark was written
/// at a clean shutdown and is exactly the last seq given: no seq was skipped.</para>
/// </remarks>
internal sealed class SeqReservation : IDisposable
{
    private const int SlotSize = 24;
    private const int SlotStride = 512;
    private const long Check = 0x5EC5_EED5_A11C_E5ED;

    private readonly FileStream _file;
    private long _generation;

    private SeqReservation(FileStream file, long generation, long mark, bool clean, bool existed)
    {
        _file = file;
        _generation = generation;
        Mark = mark;
        Clean = clean;
        Existed = existed;
    }

    /// <summary>The highest seq reserved (or, when <see cref="Clean"/>, the last one given).</summary>
    public long Mark { get; private set; }

    /// <summary>The mark was written by a clean shutdown.</summary>
    public bool Clean { get; private set; }

    /// <summary>False for a file made now (a new station, or one from before this file existed).</summary>
    public bool Existed { get; }

    public static SeqReservation Open(string path)
    {
        var existed = File.Exists(path);
        var file = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.ReadWrite);
        try
        {
            if (!existed || file.Length < SlotStride * 2)
            {
                // Written out in full (not a sparse hole from SetLength): later writes only overwrite blocks
                // the file already owns.
                file.Position = 0;
                file.Write(new byte[SlotStride * 2]);
                file.Flush(flushToDisk: true);
            }

            long bestGen = 0, bestValue = 0;
            Span<byte> slot = stackalloc byte[SlotSize];
            for (var i = 0; i < 2; i++)
            {
                file.Position = i * SlotStride;
                file.ReadExactly(slot);
                var gen = BinaryPrimitives.ReadInt64LittleEndian(slot);
                var value = BinaryPrimitives.ReadInt64LittleEndian(slot[8..]);
                var check = BinaryPrimitives.ReadInt64LittleEndian(slot[16..]);
                if (gen > bestGen && check == (gen ^ value ^ Check))
                {
                    bestGen = gen;
                    bestValue = value;
                }
            }

            return new SeqReservation(file, bestGen, bestValue >> 1, (bestValue & 1) != 0, existed && bestGen > 0);
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    /// <summary>Writes and fsyncs a new mark; throws <see cref="IOException"/> when the device refuses.</summary>
    public void Write(long mark, bool clean)
    {
        var generation = _generation + 1;
        var value = (mark << 1) | (clean ? 1L : 0L);
        Span<byte> slot = stackalloc byte[SlotSize];
        BinaryPrimitives.WriteInt64LittleEndian(slot, generation);
        BinaryPrimitives.WriteInt64LittleEndian(slot[8..], value);
        BinaryPrimitives.WriteInt64LittleEndian(slot[16..], generation ^ value ^ Check);
        _file.Position = (generation % 2) * SlotStride;
        _file.Write(slot);
        _file.Flush(flushToDisk: true);
        _generation = generation;
        Mark = mark;
        Clean = clean;
    }

    public void Dispose() => _file.Dispose();
}
