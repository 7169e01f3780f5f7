using System.Text.Json;
using System.Text.Json.Nodes;

namespace EdgeGateway.Control;

/// <summary>
/// The control socket's wire format: a Unix stream socket carrying one JSON object per line.
/// Request  <c>{"verb":"status","args":{...}}</c>;
/// response <c>{"ok":true,"result":...}</c> or <c>{"ok":false,"error":"..."}</c>. One request per connection.
/// </summary>
public static class ControlProtocol
{
    /// <summary>Requests larger than this are refused (a request is a verb and a few arguments).</summary>
    public const int MaxRequestBytes = 64 * 1024;

    /// <summary>
    /// The argument the server adds to every request: the client's uid as the kernel knows it (SO_PEERCRED).
    /// One a client sends itself is dropped, so a verb can trust it for the audit.
    /// </summary>
    public const string PeerUidArgument = "peerUid";

    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = false };

    public static JsonObject Request(string verb, JsonObject? args) => new() { ["verb"] = verb, ["args"] = args ?? [] };

    public static JsonObject Ok(JsonNode? result) => new() { ["ok"] = true, ["result"] = result };

    public static JsonObject Error(string message) => new() { ["ok"] = false, ["error"] = message };

    /// <summary><c>{"ok":false,"error":"...","code":"..."}</c>: a refusal with a stable code.</summary>
    public static JsonObject Error(string message, string? code) =>
        code is null ? Error(message) : new() { ["ok"] = false, ["error"] = message, ["code"] = code };
}
