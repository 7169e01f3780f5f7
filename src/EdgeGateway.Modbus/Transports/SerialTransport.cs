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
            throw new ModbusConnectionException($"cannot open {Name}: {e.Message}", e);
        }

        return ValueTask.CompletedTask;
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
