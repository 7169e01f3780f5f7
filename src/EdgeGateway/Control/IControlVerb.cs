using System.Text.Json.Nodes;

namespace EdgeGateway.Control;

/// <summary>
/// One verb the running service answers on its control socket (status, broadcast.play, sim.gpio, ...).
/// Register implementations in DI; the <see cref="ControlServer"/> dispatches to them by <see cref="Name"/>.
/// </summary>
public interface IControlVerb
{
    string Name { get; }

    /// <summary>
    /// Handles one request. Throw <see cref="ControlRequestException"/> for a refusal the caller should see
    /// (bad arguments, not allowed in this configuration); anything else is reported as an internal error.
    /// </summary>
    Task<JsonNode?> HandleAsync(JsonObject args, CancellationToken cancellationToken);
}

/// <summary>A request the service refuses, with a message for the technician.</summary>
public sealed class ControlRequestException : Exception
{
    public ControlRequestException(string message)
        : base(message)
    {
    }

    public ControlRequestException()
    {
    }

    public ControlRequestException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>A verb defined by a delegate, for small handlers registered at composition.</summary>
public sealed class DelegateControlVerb(string name, Func<JsonObject, CancellationToken, Task<JsonNode?>> handler) : IControlVerb
{
    public string Name { get; } = name;

    public Task<JsonNode?> HandleAsync(JsonObject args, CancellationToken cancellationToken) => handler(args, cancellationToken);
}
