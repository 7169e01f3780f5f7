using System.Threading.Channels;
using EdgeGateway.Modbus.Transports;

namespace EdgeGateway.Modbus.Tests.Support;

/// <summary>
/// An in-memory transport behind the production seam: records each frame the client writes and answers
/// with the chunks a responder returns for it. When the answer is used up it either stays silent (the client
/// times out) or reports the peer closed (read returns 0), as <see cref="EndOfAnswer"/> says.
/// </summary>
internal sealed class ScriptedTransport : IModbusTransport
{
    private readonly Func<byte[], IEnumerable<byte[]>> _responder;
    private readonly Channel<byte[]> _incoming = Channel.CreateUnbounded<byte[]>();
    private byte[]? _pending;
    private int _pendingOffset;

    public ScriptedTransport(Func<byte[], IEnumerable<byte[]>> responder, RtuTiming timing = default)
    {
        _responder = responder;
        Timing = timing;
    }

    public enum End
    {
        Silence,
        Closed,
    }

    public End EndOfAnswer { get; init; } = End.Silence;

    public List<byte[]> Written { get; } = [];

    public int Opens { get; private set; }

    public int Discards { get; private set; }

    public string Name => "scripted";

    public bool IsOpen { get; private set; }

    public RtuTiming Timing { get; }

    public ValueTask OpenAsync(CancellationToken cancellationToken)
    {
        // A new connection starts with nothing left over from the last one.
        Clear();
        IsOpen = true;
        Opens++;
        return ValueTask.CompletedTask;
    }

    public void Close() => IsOpen = false;

    public bool DiscardInput()
    {
        Discards++;
        Clear();
        return IsOpen;
    }

    public ValueTask WriteAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        var frame = data.ToArray();
        Written.Add(frame);
        foreach (var chunk in _responder(frame))
        {
            if (chunk.Length > 0)
            {
                _incoming.Writer.TryWrite(chunk);
            }
        }

        return ValueTask.CompletedTask;
    }

    public async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken)
    {
        if (_pending is null)
        {
            if (!_incoming.Reader.TryRead(out _pending))
            {
                if (EndOfAnswer == End.Closed)
                {
                    IsOpen = false;
                    return 0;
                }

                _pending = await _incoming.Reader.ReadAsync(cancellationToken);
            }

            _pendingOffset = 0;
        }

        var n = Math.Min(buffer.Length, _pending.Length - _pendingOffset);
        _pending.AsMemory(_pendingOffset, n).CopyTo(buffer);
        _pendingOffset += n;
        if (_pendingOffset == _pending.Length)
        {
            _pending = null;
        }

        return n;
    }

    private void Clear()
    {
        _pending = null;
        while (_incoming.Reader.TryRead(out _))
        {
        }
    }

    public ValueTask DisposeAsync()
    {
        IsOpen = false;
        return ValueTask.CompletedTask;
    }
}
