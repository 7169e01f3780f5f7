namespace EdgeGateway.Core.Rules.Internal;

/// <summary>A time-stamped sample: UTC ticks and a payload (a value, or rainfall in millionths of a unit).</summary>
internal readonly record struct Sample<T>(long Ticks, T Payload)
    where T : struct;

/// <summary>
/// A FIFO of samples in time order on a growable ring buffer: O(1) amortised push at the back and pop at the
/// front, so a window slides at constant cost whatever its length.
/// </summary>
internal sealed class SampleQueue<T>
    where T : struct
{
    private Sample<T>[] _items = new Sample<T>[16];
    private int _head;

    public int Count { get; private set; }

    public ref readonly Sample<T> Front => ref _items[_head];

    public ref readonly Sample<T> Back => ref _items[(_head + Count - 1) & (_items.Length - 1)];

    public void PushBack(Sample<T> sample)
    {
        if (Count == _items.Length)
        {
            Grow();
        }

        _items[(_head + Count) & (_items.Length - 1)] = sample;
        Count++;
    }

    public Sample<T> PopFront()
    {
        var item = _items[_head];
        _head = (_head + 1) & (_items.Length - 1);
        Count--;
        return item;
    }

    /// <summary>The samples, oldest first.</summary>
    public IEnumerable<Sample<T>> Items()
    {
        for (var i = 0; i < Count; i++)
        {
            yield return _items[(_head + i) & (_items.Length - 1)];
        }
    }

    public void Clear()
    {
        _head = 0;
        Count = 0;
    }

    private void Grow()
    {
        // Capacity stays a power of two so the index wraps with a mask.
        var bigger = new Sample<T>[_items.Length * 2];
        for (var i = 0; i < Count; i++)
        {
            bigger[i] = _items[(_head + i) & (_items.Length - 1)];
        }

        _items = bigger;
        _head = 0;
    }
}
