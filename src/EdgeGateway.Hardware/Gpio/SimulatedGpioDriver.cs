using System.Device.Gpio;

namespace EdgeGateway.Hardware.Gpio;

/// <summary>A change of one simulated line, stamped with the injected clock.</summary>
public readonly record struct GpioLineChange(int Pin, PinValue Value, DateTimeOffset Time, bool IsOutput);

/// <summary>
/// A GPIO chip held in memory, used behind the real <see cref="GpioController"/> on a bench, in the demo
/// and in tests (<c>hardware.gpio.driver: simulated</c>). Inputs rest at their inactive level (high with a
/// pull-up, low otherwise) until <see cref="SetInput"/> drives them; edges raise the controller's
/// callbacks synchronously, as the libgpiod driver's event thread would. Every output write is recorded
/// with its time so relay sequences can be shown in status and asserted in tests.
/// </summary>
public sealed class SimulatedGpioDriver : GpioDriver
{
    private readonly Lock _gate = new();
    private readonly TimeProvider _time;
    private readonly Dictionary<int, Line> _lines = [];
    private readonly List<GpioLineChange> _outputHistory = [];
    private readonly int _pinCount;

    public SimulatedGpioDriver(TimeProvider time, int pinCount = 64)
    {
        ArgumentNullException.ThrowIfNull(time);
        _time = time;
        _pinCount = pinCount;
    }

    /// <summary>Raised after every output write that changed a line, and after every input edge.</summary>
    public event EventHandler<GpioLineChange>? LineChanged;

    protected override int PinCount => _pinCount;

    /// <summary>Every output level written, in order (writes that did not change the line included).</summary>
    public IReadOnlyList<GpioLineChange> OutputHistory
    {
        get
        {
            lock (_gate)
            {
                return [.. _outputHistory];
            }
        }
    }

    /// <summary>The current level of a line (input or output); inactive level for unopened inputs.</summary>
    public PinValue Peek(int pin)
    {
        lock (_gate)
        {
            return _lines.TryGetValue(pin, out var line) ? line.Value : PinValue.Low;
        }
    }

    /// <summary>How many lines the simulated chip has (numbered from 0).</summary>
    public int LineCount => _pinCount;

    /// <summary>The lines opened as inputs, in order.</summary>
    public IReadOnlyList<int> InputLines()
    {
        lock (_gate)
        {
            return [.. _lines.Where(l => l.Value.Mode != PinMode.Output).Select(l => l.Key).Order()];
        }
    }

    /// <summary>The lines opened as outputs and their levels.</summary>
    public IReadOnlyDictionary<int, PinValue> Outputs()
    {
        lock (_gate)
        {
            return _lines.Where(l => l.Value.Mode == PinMode.Output).ToDictionary(l => l.Key, l => l.Value.Value);
        }
    }

    /// <summary>Drives a simulated input line, raising edge callbacks when the level changes.</summary>
    public void SetInput(int pin, PinValue value)
    {
        List<(PinChangeEventHandler Handler, PinEventTypes Type)> toRaise;
        PinEventTypes edge;
        lock (_gate)
        {
            var line = GetOrAdd(pin);
            if (line.Mode == PinMode.Output)
            {
                throw new InvalidOperationException($"GPIO line {pin} is an output; it cannot be driven as an input.");
            }

            line.Driven = true;
            if (line.Value == value)
            {
                return;
            }

            line.Value = value;
            edge = value == PinValue.High ? PinEventTypes.Rising : PinEventTypes.Falling;
            toRaise = [.. line.Callbacks.Where(c => (c.Type & edge) != 0)];
        }

        var args = new PinValueChangedEventArgs(edge, pin);
        foreach (var (handler, _) in toRaise)
        {
            handler(this, args);
        }

        LineChanged?.Invoke(this, new GpioLineChange(pin, value, _time.GetUtcNow(), false));
    }

    protected override void OpenPin(int pinNumber)
    {
        lock (_gate)
        {
            GetOrAdd(pinNumber);
        }
    }

    protected override void ClosePin(int pinNumber)
    {
        lock (_gate)
        {
            if (_lines.TryGetValue(pinNumber, out var line))
            {
                line.Callbacks.Clear();
            }
        }
    }

    protected override void SetPinMode(int pinNumber, PinMode mode)
    {
        lock (_gate)
        {
            var line = GetOrAdd(pinNumber);
            line.Mode = mode;
            if (!line.Driven && mode != PinMode.Output)
            {
                // An input nobody drives rests where its bias holds it.
                line.Value = mode == PinMode.InputPullUp ? PinValue.High : PinValue.Low;
            }
        }
    }

    protected override PinMode GetPinMode(int pinNumber)
    {
        lock (_gate)
        {
            return GetOrAdd(pinNumber).Mode;
        }
    }

    protected override bool IsPinModeSupported(int pinNumber, PinMode mode) =>
        mode is PinMode.Input or PinMode.InputPullUp or PinMode.InputPullDown or PinMode.Output;

    protected override PinValue Read(int pinNumber) => Peek(pinNumber);

    protected override void Write(int pinNumber, PinValue value)
    {
        GpioLineChange change;
        bool changed;
        lock (_gate)
        {
            var line = GetOrAdd(pinNumber);
            changed = line.Value != value;
            line.Value = value;
            change = new GpioLineChange(pinNumber, value, _time.GetUtcNow(), true);
            _outputHistory.Add(change);
        }

        if (changed)
        {
            LineChanged?.Invoke(this, change);
        }
    }

    protected override WaitForEventResult WaitForEvent(int pinNumber, PinEventTypes eventTypes, CancellationToken cancellationToken)
    {
        var done = new TaskCompletionSource<WaitForEventResult>(TaskCreationOptions.RunContinuationsAsynchronously);
        void Handler(object sender, PinValueChangedEventArgs e) => done.TrySetResult(new WaitForEventResult { EventTypes = e.ChangeType, TimedOut = false });
        AddCallbackForPinValueChangedEvent(pinNumber, eventTypes, Handler);
        try
        {
            using var registration = cancellationToken.Register(() => done.TrySetResult(new WaitForEventResult { EventTypes = PinEventTypes.None, TimedOut = true }));
            return done.Task.GetAwaiter().GetResult();
        }
        finally
        {
            RemoveCallbackForPinValueChangedEvent(pinNumber, Handler);
        }
    }

    protected override void AddCallbackForPinValueChangedEvent(int pinNumber, PinEventTypes eventTypes, PinChangeEventHandler callback)
    {
        lock (_gate)
        {
            GetOrAdd(pinNumber).Callbacks.Add((callback, eventTypes));
        }
    }

    protected override void RemoveCallbackForPinValueChangedEvent(int pinNumber, PinChangeEventHandler callback)
    {
        lock (_gate)
        {
            if (_lines.TryGetValue(pinNumber, out var line))
            {
                line.Callbacks.RemoveAll(c => c.Handler == callback);
            }
        }
    }

    private Line GetOrAdd(int pin)
    {
        if (pin < 0 || pin >= _pinCount)
        {
            throw new ArgumentOutOfRangeException(nameof(pin), pin, $"The simulated chip has lines 0-{_pinCount - 1}.");
        }

        if (!_lines.TryGetValue(pin, out var line))
        {
            line = new Line();
            _lines[pin] = line;
        }

        return line;
    }

    private sealed class Line
    {
        public PinMode Mode { get; set; } = PinMode.Input;
        public PinValue Value { get; set; } = PinValue.Low;
        public bool Driven { get; set; }
        public List<(PinChangeEventHandler Handler, PinEventTypes Type)> Callbacks { get; } = [];
    }
}
