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

/// <summary>
/// A request the service refuses, with a message for the technician. A <see cref="Code"/> marks a refusal of
/// what was asked (not of how it was asked, nor a fault): the client then exits 2.
/// </summary>
public sealed class ControlRequestException : Exception
{
    public ControlRequestException(string message)
        : base(message)
    {
    }

    public ControlRequestException(string message, string? code)
        : base(message)
    {
        Code = code;
    }

    /// <summary>A stable refusal code (<c>unknown-message</c>, <c>force-required</c>, ...), or null.</summary>
    public string? Code { get; }

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
