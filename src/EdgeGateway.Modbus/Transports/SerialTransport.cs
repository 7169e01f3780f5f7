using System.IO.Ports;

namespace EdgeGateway.Modbus.Transports;

/// <summary>
/// A serial port (RS-485/RS-232 adapter, or a pseudo-terminal) through System.IO.Ports. Opened on first use;
/// a port that vanishes (USB adapter unplugged) is reported and opened again on the next request.
/// </summary>
public sealed class SerialTransport : IModbusTransport
{
    private readonly SerialSettings _settings;
    private SerialPort? _port;
    private Stream? _stream;

    public SerialTransport(SerialSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentException.ThrowIfNullOrWhiteSpace(settings.Device);
        _settings = settings;
        Timing = settings.Timing;
    }

    public string Name => _settings.Device;

    public bool IsOpen => _stream is not null;

    public RtuTiming Timing { get; }

    public ValueTask OpenAsync(CancellationToken cancellationToken)
    {
        Close();
        var port = new SerialPort(_settings.Device, _settings.BaudRate, _settings.Parity, 8, _settings.StopBits)
        {
            Handshake = Handshake.None,
            ReadTimeout = SerialPort.InfiniteTimeout,
            WriteTimeout = SerialPort.InfiniteTimeout,
        };
        try
        {
            port.Open();
            _stream = port.BaseStream;
            _port = port;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or InvalidOperationException)
        {
            port.Dispose();
            throw new ModbusConnectionException($"cannot open {Name}: {Why(e)}", e);
        }

        return ValueTask.CompletedTask;
    }

    // System.IO.Ports reports every failed open(2) as "Access to the port is denied", even for a device
    // that does not exist, which sends a technician to the dialout group for an unplugged adapter. The
    // errno it keeps in the inner exception (as HResult) says what really happened.
    private string Why(Exception e)
    {
        if (!File.Exists(_settings.Device))
        {
            return "no such device (adapter unplugged, or another name?)";
        }

        const int EACCES = 13, EAGAIN = 11, EBUSY = 16, ENXIO = 6, ENODEV = 19, ENOTTY = 25;
        return (e.InnerException as IOException)?.HResult switch
        {
            EACCES => "permission denied (the user needs the dialout group)",
            EAGAIN or EBUSY => "the port is in use by another program",
            ENXIO or ENODEV => "the device does not answer (adapter unplugged or its driver missing)",
            ENOTTY => "not a serial port",
            _ => e.InnerException?.Message ?? e.Message,
        };
    }

    public void Close()
    {
        var port = _port;
        _port = null;
        _stream = null;
        if (port is not null)
        {
            try
            {
                port.Dispose();
            }
            catch (IOException)
            {
                // The device may already be gone; nothing more to release.
            }
        }
    }

    public bool DiscardInput()
    {
        var port = _port;
        if (port is null)
        {
            return false;
        }

        try
        {
            port.DiscardInBuffer();
            return true;
        }
        catch (Exception e) when (e is IOException or InvalidOperationException)
        {
            Close();
            return false;
        }
    }

    public async ValueTask WriteAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        var stream = _stream ?? throw new ModbusConnectionException($"{Name} is not open");
        try
        {
            await stream.WriteAsync(data, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or InvalidOperationException or ObjectDisposedException)
        {
            Close();
            throw new ModbusConnectionException($"write to {Name} failed: {e.Message}", e);
        }
    }

    public async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken)
    {
        var stream = _stream ?? throw new ModbusConnectionException($"{Name} is not open");
        try
        {
            var read = await stream.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                Close();
            }

            return read;
        }
        catch (Exception e) when (e is IOException or InvalidOperationException or ObjectDisposedException)
        {
            Close();
            throw new ModbusConnectionException($"read from {Name} failed: {e.Message}", e);
        }
    }

    public ValueTask DisposeAsync()
    {
        Close();
        return ValueTask.CompletedTask;
    }
}
