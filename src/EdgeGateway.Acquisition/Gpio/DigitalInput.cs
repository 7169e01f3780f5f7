using System.Device.Gpio;
using EdgeGateway.Acquisition.Internal;
using EdgeGateway.Acquisition.Sensors;
using Microsoft.Extensions.Logging;

namespace EdgeGateway.Acquisition.Gpio;

/// <summary>
/// A switch on a GPIO line (flood float switch, manual alarm button). Every edge restarts a debounce timer; when
/// the line has held still for <see cref="DigitalInputOptions.Debounce"/>, its level is read and, if the debounced
/// state changed, published at once (1 active, 0 inactive, honouring <see cref="DigitalInputOptions.ActiveLow"/>).
/// A glitch shorter than the debounce time changes nothing. The state is also republished every
/// <see cref="SensorOptions.Poll"/> so the rules and the hub always hold a fresh value.
/// </summary>
internal sealed class DigitalInput : IDisposable
{
    private readonly Lock _gate = new();
    private readonly DigitalInputOptions _options;
    private readonly GpioController _controller;
    private readonly SensorChannel _channel;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private ITimer? _debounce;
    private ITimer? _republish;
    private bool? _active;
    private bool _open;

    public DigitalInput(DigitalInputOptions options, GpioController controller, SensorChannel channel, TimeProvider time, ILogger logger)
    {
        _options = options;
        _controller = controller;
        _channel = channel;
        _time = time;
        _logger = logger;
    }

    /// <summary>The debounced state, or null before the line was read.</summary>
    public bool? Active
    {
        get
        {
            lock (_gate)
            {
                return _active;
            }
        }
    }

    public void Start()
    {
        try
        {
            GpioLines.OpenInput(_controller, _options.Pin, _options.Mode, _logger);
            _controller.RegisterCallbackForPinValueChangedEvent(_options.Pin, PinEventTypes.Rising | PinEventTypes.Falling, OnEdge);
            _open = true;
            Log.GpioInputReady(_logger, _options.Id, _options.Pin, _options.Mode.ToString());
        }
        catch (Exception ex) when (ex is IOException or InvalidOperationException or ArgumentException or NotSupportedException or UnauthorizedAccessException)
        {
            Log.GpioInputFailed(_logger, _options.Id, _options.Pin, ex.Message);
            _channel.PublishFault(_time.GetUtcNow(), $"GPIO line {_options.Pin}: {ex.Message}");
            return;
        }

        lock (_gate)
        {
            _debounce = _time.CreateTimer(_ => OnSettled(), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
            _republish = _time.CreateTimer(_ => OnRepublish(), null, _options.Poll, _options.Poll);
            PublishLevel(force: true);
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _debounce?.Dispose();
            _republish?.Dispose();
            _debounce = null;
            _republish = null;
        }

        if (_open)
        {
            GpioLines.Close(_controller, _options.Pin, OnEdge);
            _open = false;
        }
    }

    private void OnEdge(object sender, PinValueChangedEventArgs args)
    {
        lock (_gate)
        {
            // The level counts only once it has held for the debounce time: each edge starts the wait again.
            _debounce?.Change(_options.Debounce, Timeout.InfiniteTimeSpan);
        }
    }

    private void OnSettled()
    {
        lock (_gate)
        {
            PublishLevel(force: false);
        }
    }

    private void OnRepublish()
    {
        lock (_gate)
        {
            if (_active is { } active)
            {
                _channel.PublishValue(_time.GetUtcNow(), active ? 1 : 0);
            }
            else
            {
                PublishLevel(force: true);
            }
        }
    }

    private void PublishLevel(bool force)
    {
        if (_debounce is null)
        {
            return;
        }

        bool active;
        try
        {
            var level = _controller.Read(_options.Pin);
            active = (level == PinValue.Low) == _options.ActiveLow;
        }
        catch (Exception ex) when (ex is IOException or InvalidOperationException)
        {
            _active = null;
            _channel.PublishFault(_time.GetUtcNow(), $"GPIO line {_options.Pin} cannot be read: {ex.Message}");
            return;
        }

        if (force || _active != active)
        {
            _active = active;
            _channel.PublishValue(_time.GetUtcNow(), active ? 1 : 0);
        }
    }
}
