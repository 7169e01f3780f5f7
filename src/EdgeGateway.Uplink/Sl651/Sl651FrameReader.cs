using EdgeGateway.Sl651;

namespace EdgeGateway.Uplink.Sl651;

/// <summary>
/// Cuts a centre's byte stream into frames by their length field (there is no byte stuffing, so never by
/// looking for <c>7E 7E</c>). Anything that cannot start a frame, a bad CRC or a malformed body throws
/// <see cref="Sl651FrameException"/>: a link that sent garbage is not resynchronised but reset.
/// </summary>
internal sealed class Sl651FrameReader(Stream stream)
{
    private readonly byte[] _buffer = new byte[Sl651Decoder.HeaderLength + Sl651Encoder.MaxBodyLength + 8];
    private int _filled;

    public async Task<Sl651Frame> ReadAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var length = Sl651Decoder.FrameLength(_buffer.AsSpan(0, _filled));
            if (length > 0 && _filled >= length)
            {
                var frame = Sl651Decoder.Decode(_buffer.AsSpan(0, length));
                _buffer.AsSpan(length, _filled - length).CopyTo(_buffer);
                _filled -= length;
                return frame;
            }

            var want = length > 0 ? length : Sl651Decoder.HeaderLength;
            var n = await stream.ReadAsync(_buffer.AsMemory(_filled, Math.Max(want - _filled, 1)), cancellationToken).ConfigureAwait(false);
            if (n == 0)
            {
                throw new EndOfStreamException("the centre closed the connection");
            }

            _filled += n;
        }
    }
}
