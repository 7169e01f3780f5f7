using System.Device.Gpio;
using EdgeGateway.Acquisition.Internal;
using EdgeGateway.Acquisition.Sensors;
using Microsoft.Extensions.Logging;

namespace EdgeGateway.Acquisition.Gpio;

/// <summary>
/// A tipping-bucket rain gauge: each tip closes a reed switch once, which the line sees as an edge followed by a
/// few milliseconds of bounce. Edges arrive through the controller's callbacks (never polled); an edge within
/// <see cref="TippingBucketOptions.Debounce"/> of the last counted tip is bounce. Each tip is published at once
/// as a reading of <see cref="TippingBucketOptions.MmPerTip"/> stamped with the time of its edge, so the rule
/// windows see rain as it falls. A debounce well under the tip period (a bucket tips at most a few times a
/// second in a cloudburst) loses no tip.
/// </summary>
internal sealed class TippingBucketInput : IDisposable
{
    private readonly Lock _gate = new();
    private readonly TippingBucketOptions _options;
    private readonly GpioController _controller;
    private readonly SensorChannel _channel;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private DateTimeOffset? _lastTip;
    private long _tips;
    private long _bounces;
    private bool _open;

    public TippingBucketInput(TippingBucketOptions options, GpioController controller, SensorChannel channel, TimeProvider time, ILogger logger)
    {
        _options = options;
        _controller = controller;
        _channel = channel;
        _time = time;
        _logger = logger;
    }

    public string Id => _options.Id;

    /// <summary>Tips counted since start.</summary>
    public long Tips => Interlocked.Read(ref _tips);

    /// <summary>Edges rejected as bounce since start.</summary>
    public long Bounces => Interlocked.Read(ref _bounces);

    /// <summary>Opens the line and starts counting; a line that cannot be opened is this gauge's fault.</summary>
    public void Start()
    {
        try
        {
            GpioLines.OpenInput(_controller, _options.Pin, _options.Mode, _logger);
            _controller.RegisterCallbackForPinValueChangedEvent(_options.Pin, _options.Edge, OnEdge);
            _open = true;
            Log.GpioInputReady(_logger, _options.Id, _options.Pin, _options.Mode.ToString());
        }
        catch (Exception ex) when (ex is IOException or InvalidOperationException or ArgumentException or NotSupportedException or UnauthorizedAccessException)
        {
            var reason = $"GPIO line {_options.Pin}: {ex.Message}";
            Log.GpioInputFailed(_logger, _options.Id, _options.Pin, ex.Message);
            _channel.PublishFault(_time.GetUtcNow(), reason);
        }
    }

    public void Dispose()
    {
        if (_open)
        {
            GpioLines.Close(_controller, _options.Pin, OnEdge);
            _open = false;
        }
    }

    private void OnEdge(object sender, PinValueChangedEventArgs args)
    {
        var now = _time.GetUtcNow();
        lock (_gate)
        {
            if (_lastTip is { } last && now - last < _options.Debounce)
            {
                _bounces++;
                return;
            }

            _lastTip = now;
            _tips++;

            // Published under the lock so tips leave in the order they came, each with its own edge time.
            _channel.PublishValue(now, _options.MmPerTip);
        }
    }
}
