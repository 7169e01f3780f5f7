using System.Buffers.Binary;

namespace EdgeGateway.Demo;

/// <summary>Reads how long a PCM WAV file plays, walking its RIFF chunks.</summary>
public static class WavInfo
{
    /// <summary>The duration of the data chunk, or null when the file is not a WAV with fmt and data chunks.</summary>
    public static TimeSpan? Duration(string path)
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }

        return Duration(bytes);
    }

    public static TimeSpan? Duration(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length < 12 || !bytes[..4].SequenceEqual("RIFF"u8) || !bytes[8..12].SequenceEqual("WAVE"u8))
        {
            return null;
        }

        var byteRate = 0;
        var offset = 12;
        while (offset + 8 <= bytes.Length)
        {
            var id = bytes.Slice(offset, 4);
            var size = BinaryPrimitives.ReadUInt32LittleEndian(bytes[(offset + 4)..]);
            if (id.SequenceEqual("fmt "u8) && offset + 20 <= bytes.Length)
            {
                byteRate = BinaryPrimitives.ReadInt32LittleEndian(bytes[(offset + 16)..]);
            }
            else if (id.SequenceEqual("data"u8))
            {
                // A file still being written may say 0 or 0xFFFFFFFF: count what is there.
                var available = bytes.Length - offset - 8;
                var length = size == 0 || size > available ? available : (long)size;
                return byteRate > 0 ? TimeSpan.FromSeconds((double)length / byteRate) : null;
            }

            offset += 8 + (int)Math.Min(size + (size & 1), int.MaxValue - offset - 8);
        }

        return null;
    }
}
