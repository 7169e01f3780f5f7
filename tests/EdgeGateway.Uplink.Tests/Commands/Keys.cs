using System.Security.Cryptography;
using EdgeGateway.Uplink.Commands;

namespace EdgeGateway.Uplink.Tests.Commands;

/// <summary>Signing helpers for tests: a hub key pair and tokens made the way the hub makes them.</summary>
internal sealed class Keys : IDisposable
{
    public ECDsa Hub { get; } = ECDsa.Create(ECCurve.NamedCurves.nistP256);

    public ECDsa Other { get; } = ECDsa.Create(ECCurve.NamedCurves.nistP256);

    public ECDsa HubPublic()
    {
        var pub = ECDsa.Create();
        pub.ImportFromPem(Hub.ExportSubjectPublicKeyInfoPem());
        return pub;
    }

    public string Sign(DateTimeOffset iat, string cmd = "broadcast", string? args = """{"message":"evacuate"}""",
        string aud = "*", TimeSpan? ttl = null, string? jti = null, ECDsa? key = null) =>
        CommandToken.Sign(key ?? Hub, jti ?? Guid.NewGuid().ToString("N"), aud, iat, iat + (ttl ?? TimeSpan.FromMinutes(5)), cmd, args);

    public static string Unsigned(string headerJson, string claimsJson) =>
        System.Buffers.Text.Base64Url.EncodeToString(System.Text.Encoding.UTF8.GetBytes(headerJson)) + "."
        + System.Buffers.Text.Base64Url.EncodeToString(System.Text.Encoding.UTF8.GetBytes(claimsJson)) + ".";

    public void Dispose()
    {
        Hub.Dispose();
        Other.Dispose();
    }
}
