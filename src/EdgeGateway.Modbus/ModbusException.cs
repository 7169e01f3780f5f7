namespace EdgeGateway.Modbus;

/// <summary>
/// Base of every error the Modbus master reports for a request: a timeout, a rejected frame, an exception
/// response from the slave, or a transport that cannot be opened. Anything else escaping the client is a bug
/// (or an argument error, or cancellation by the caller).
/// </summary>
public abstract class ModbusException : Exception
{
    protected ModbusException(string message, Exception? innerException = null)
        : base(message, innerException)
    {
    }
}

/// <summary>No complete response arrived within the request's timeout.</summary>
public sealed class ModbusTimeoutException : ModbusException
{
    public ModbusTimeoutException(TimeSpan timeout)
        : base($"no response within {timeout.TotalMilliseconds:0.###} ms")
    {
        Timeout = timeout;
    }

    public TimeSpan Timeout { get; }
}

/// <summary>A response arrived but was rejected; <see cref="Reason"/> says why.</summary>
public sealed class ModbusFrameException : ModbusException
{
    public ModbusFrameException(ModbusFrameError reason, string detail)
        : base($"bad frame ({reason}): {detail}")
    {
        Reason = reason;
        Detail = detail;
    }

    public ModbusFrameError Reason { get; }

    public string Detail { get; }
}

/// <summary>The slave answered with a Modbus exception response.</summary>
public sealed class ModbusExceptionResponse : ModbusException
{
    public ModbusExceptionResponse(byte function, ModbusExceptionCode code)
        : base($"exception {(byte)code} ({code.GetName()}) for function {function}")
    {
        Function = function;
        Code = code;
    }

    /// <summary>The function code of the request that was refused (without the 0x80 bit).</summary>
    public byte Function { get; }

    public ModbusExceptionCode Code { get; }

    /// <summary>The specification's name of <see cref="Code"/>, e.g. "illegal data address".</summary>
    public string CodeName => Code.GetName();
}

/// <summary>The transport could not be opened or was lost: connection refused or dropped, serial port missing.</summary>
public sealed class ModbusConnectionException : ModbusException
{
    public ModbusConnectionException(string message, Exception? innerException = null)
        : base(message, innerException)
    {
    }
}
