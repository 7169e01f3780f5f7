using System.Security.Cryptography;

namespace EdgeGateway.Uplink.Commands;

/// <summary>The <c>error</c> codes of a <c>cmd/result</c> that are not the gate's own refusals.</summary>
public static class CommandErrors
{
    /// <summary>The command queue was full: this (the oldest waiting) command was dropped unjudged.</summary>
    public const string Overloaded = "overloaded";

    /// <summary>Judging or carrying out the command threw; the station went on with the next one.</summary>
    public const string Failed = "failed";

    /// <summary>A <c>clear</c> of a rule whose sensor is faulty, or one sent to every station, without <c>force</c>.</summary>
    public const string ClearNeedsForce = "force-required";

    /// <summary>A <c>clear</c> naming a rule the station does not have.</summary>
    public const string UnknownRule = "unknown-rule";
}

/// <summary>What a command verification key must be.</summary>
public static class CommandKeys
{
    // 1.2.840.10045.3.1.7 is prime256v1 (NIST P-256, secp256r1), the only curve ES256 names (RFC 7518 3.4).
    private const string P256Oid = "1.2.840.10045.3.1.7";

    /// <summary>Why <paramref name="key"/> cannot verify ES256 commands, or null when it can.</summary>
    public static string? Problem(ECDsa key)
    {
        ArgumentNullException.ThrowIfNull(key);
        ECParameters p;
        try
        {
            p = key.ExportParameters(includePrivateParameters: false);
        }
        catch (CryptographicException e)
        {
            return "not a usable ECDSA key: " + e.Message;
        }

        var curve = p.Curve;
        if (!curve.IsNamed || !(curve.Oid.Value == P256Oid || curve.Oid.FriendlyName is "nistP256" or "ECDSA_P256" or "prime256v1" or "secp256r1"))
        {
            var name = curve.IsNamed ? curve.Oid.FriendlyName ?? curve.Oid.Value : "explicit curve parameters";
            return $"the key is on {name}, not NIST P-256 (ES256 is P-256 only)";
        }

        return null;
    }
}
