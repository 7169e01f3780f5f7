using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace EdgeGateway.Uplink.Commands;

/// <summary>The claims of a hub command: <c>{"jti","aud","iat","exp","cmd","args"}</c>.</summary>
public sealed record CommandClaims(string Jti, string Audience, DateTimeOffset IssuedAt, DateTimeOffset Expires,
    string Command, JsonElement? Args);

/// <summary>
/// JWS compact serialization (RFC 7515) with ES256 only: <c>BASE64URL(header).BASE64URL(claims).BASE64URL(sig)</c>,
/// where the signature is ECDSA P-256 over SHA-256 of the ASCII <c>header.claims</c>, written as the 64-byte
/// IEEE P1363 concatenation r||s (not DER).
/// </summary>
public static class CommandToken
{
    public const string Algorithm = "ES256";

    /// <summary>Signs a command with a P-256 private key. <paramref name="args"/> is a JSON object or null.</summary>
    public static string Sign(ECDsa key, string jti, string audience, DateTimeOffset issuedAt, DateTimeOffset expires,
        string command, string? args)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (CommandKeys.Problem(key) is { } problem)
        {
            throw new ArgumentException("the signing key must be ECDSA P-256: " + problem, nameof(key));
        }

        var header = "{\"alg\":\"ES256\",\"typ\":\"JWT\"}"u8.ToArray();
        using var claims = new MemoryStream();
        using (var w = new Utf8JsonWriter(claims))
        {
            w.WriteStartObject();
            w.WriteString("jti", jti);
            w.WriteString("aud", audience);
            w.WriteNumber("iat", issuedAt.ToUnixTimeSeconds());
            w.WriteNumber("exp", expires.ToUnixTimeSeconds());
            w.WriteString("cmd", command);
            if (args is not null)
            {
                using var doc = JsonDocument.Parse(args);
                if (doc.RootElement.ValueKind != JsonValueKind.Object)
                {
                    throw new ArgumentException("args must be a JSON object", nameof(args));
                }

                w.WritePropertyName("args");
                doc.RootElement.WriteTo(w);
            }

            w.WriteEndObject();
        }

        var signingInput = Base64Url.EncodeToString(header) + "." + Base64Url.EncodeToString(claims.ToArray());
        var signature = key.SignData(Encoding.ASCII.GetBytes(signingInput), HashAlgorithmName.SHA256,
            DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        return signingInput + "." + Base64Url.EncodeToString(signature);
    }

    /// <summary>
    /// Splits and checks a token: header alg ES256 (and nothing critical), signature valid for
    /// <paramref name="key"/>, claims well formed. On failure <paramref name="error"/> is a refusal code and
    /// <paramref name="jti"/> whatever jti the (untrusted) claims named, for the result.
    /// </summary>
    public static bool TryVerify(string token, ECDsa? key, out CommandClaims? claims, out string? jti, out string? error)
    {
        claims = null;
        jti = null;
        var parts = token.Trim().Split('.');
        if (parts.Length != 3)
        {
            error = "malformed-token";
            return false;
        }

        JsonDocument header, body;
        byte[] signature;
        try
        {
            header = JsonDocument.Parse(Base64Url.DecodeFromChars(parts[0]));
            body = JsonDocument.Parse(Base64Url.DecodeFromChars(parts[1]));
            signature = Base64Url.DecodeFromChars(parts[2]);
        }
        catch (Exception e) when (e is FormatException or JsonException)
        {
            error = "malformed-token";
            return false;
        }

        using (header)
        using (body)
        {
            if (body.RootElement.ValueKind == JsonValueKind.Object
                && body.RootElement.TryGetProperty("jti", out var j) && j.ValueKind == JsonValueKind.String)
            {
                jti = j.GetString();
            }

            if (header.RootElement.ValueKind != JsonValueKind.Object
                || !header.RootElement.TryGetProperty("alg", out var alg) || alg.ValueKind != JsonValueKind.String
                || alg.GetString() != Algorithm)
            {
                error = "alg-not-allowed";
                return false;
            }

            if (header.RootElement.TryGetProperty("crit", out _))
            {
                error = "unsupported-header";
                return false;
            }

            if (key is null)
            {
                error = "no-command-key";
                return false;
            }

            if (signature.Length != 64
                || !key.VerifyData(Encoding.ASCII.GetBytes(parts[0] + "." + parts[1]), signature,
                    HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation))
            {
                error = "bad-signature";
                return false;
            }

            if (!TryReadClaims(body.RootElement, out claims))
            {
                error = "bad-claims";
                return false;
            }

            error = null;
            return true;
        }
    }

    /// <summary>
    /// The <c>jti</c> a token claims, unverified: only to name a command in a result when it was never judged
    /// (dropped for overload). Null when the token does not parse.
    /// </summary>
    public static string? UnverifiedJti(string token)
    {
        ArgumentNullException.ThrowIfNull(token);
        var parts = token.Trim().Split('.');
        if (parts.Length != 3)
        {
            return null;
        }

        try
        {
            using var body = JsonDocument.Parse(Base64Url.DecodeFromChars(parts[1]));
            return body.RootElement.ValueKind == JsonValueKind.Object
                && body.RootElement.TryGetProperty("jti", out var j) && j.ValueKind == JsonValueKind.String
                ? j.GetString()
                : null;
        }
        catch (Exception e) when (e is FormatException or JsonException)
        {
            return null;
        }
    }

    private static bool TryReadClaims(JsonElement root, out CommandClaims? claims)
    {
        claims = null;
        if (root.ValueKind != JsonValueKind.Object
            || !TryString(root, "jti", out var jti) || jti.Length == 0
            || !TryString(root, "aud", out var aud)
            || !TryTime(root, "iat", out var iat)
            || !TryTime(root, "exp", out var exp)
            || !TryString(root, "cmd", out var cmd))
        {
            return false;
        }

        JsonElement? args = null;
        if (root.TryGetProperty("args", out var a) && a.ValueKind != JsonValueKind.Null)
        {
            args = a.Clone();
        }

        claims = new CommandClaims(jti, aud, iat, exp, cmd, args);
        return true;
    }

    private static bool TryString(JsonElement root, string name, out string value)
    {
        value = "";
        if (!root.TryGetProperty(name, out var e) || e.ValueKind != JsonValueKind.String)
        {
            return false;
        }

        value = e.GetString()!;
        return true;
    }

    // NumericDate (RFC 7519): seconds since the epoch, possibly fractional.
    private static bool TryTime(JsonElement root, string name, out DateTimeOffset value)
    {
        value = default;
        if (!root.TryGetProperty(name, out var e) || e.ValueKind != JsonValueKind.Number || !e.TryGetDouble(out var s)
            || !double.IsFinite(s) || s < 0 || s > 253402300799)
        {
            return false;
        }

        value = DateTimeOffset.UnixEpoch.AddMilliseconds(Math.Floor(s * 1000));
        return true;
    }
}
