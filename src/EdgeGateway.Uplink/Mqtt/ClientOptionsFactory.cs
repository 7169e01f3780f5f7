using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using EdgeGateway.Uplink.Mqtt.Wire;

namespace EdgeGateway.Uplink.Mqtt;

/// <summary>A local part the connection needs is missing or unusable (not the broker's fault).</summary>
internal sealed class UplinkLocalFaultException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>Builds the connection options for one connection attempt (files are re-read each time).</summary>
internal static class ClientOptionsFactory
{
    public static BrokerConnectOptions Build(UplinkOptions options, MqttEndpoint broker, string willTopic, byte[] willPayload,
        Func<bool> clockPlausible)
    {
        var mqtt = options.Mqtt;
        var password = mqtt.Username is null ? null : ReadPassword(mqtt.PasswordFile);
        SslClientAuthenticationOptions? tlsOptions = null;
        if (mqtt.Tls is { } tls)
        {
            var trust = LoadCa(tls.CaFile);
            var clientCerts = LoadClientCertificate(tls);
            tlsOptions = new SslClientAuthenticationOptions
            {
                TargetHost = tls.ServerName ?? broker.Host,
                // An offline station cannot reach a CRL or OCSP responder: never fail closed on that.
                CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
                RemoteCertificateValidationCallback = (_, certificate, _, errors) => Validate(certificate, errors, trust, clockPlausible()),
                ClientCertificates = clientCerts,
            };
        }

        var keepAlive = (ushort)Math.Clamp(mqtt.KeepAlive.TotalSeconds, 0, ushort.MaxValue);
        var connect = new ConnectRequest(mqtt.Protocol == MqttProtocol.V5, options.StationId, keepAlive, willTopic, willPayload,
            mqtt.Username, password);
        return new BrokerConnectOptions(broker.Host, broker.Port, connect, mqtt.ConnectTimeout, tlsOptions);
    }

    /// <summary>
    /// Accepts the server certificate only if it chains to our private CA (the system store is not
    /// consulted) and names the host. Revocation is not checked. On a clock that cannot be trusted (a Pi
    /// with no RTC at 1970) validity dates are ignored, or the station could never reach the hub to be told
    /// the time.
    /// </summary>
    internal static bool Validate(X509Certificate? certificate, SslPolicyErrors errors,
        X509Certificate2Collection trust, bool clockPlausible)
    {
        if (certificate is null || (errors & (SslPolicyErrors.RemoteCertificateNameMismatch | SslPolicyErrors.RemoteCertificateNotAvailable)) != 0)
        {
            return false;
        }

        using var leaf = X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(trust);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.DisableCertificateDownloads = true;
        if (!clockPlausible)
        {
            chain.ChainPolicy.VerificationFlags |= X509VerificationFlags.IgnoreNotTimeValid;
        }

        return chain.Build(leaf);
    }

    private static string ReadPassword(string? path)
    {
        if (path is null)
        {
            throw new UplinkLocalFaultException("a username is configured but no passwordFile");
        }

        try
        {
            var text = File.ReadAllText(path);
            var newline = text.IndexOfAny(['\r', '\n']);
            return newline >= 0 ? text[..newline] : text;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new UplinkLocalFaultException($"password file {path}: {e.Message}", e);
        }
    }

    private static X509Certificate2Collection LoadCa(string? path)
    {
        if (path is null)
        {
            throw new UplinkLocalFaultException("TLS is configured without a CA file (tls.ca)");
        }

        try
        {
            var collection = new X509Certificate2Collection();
            collection.ImportFromPemFile(path);
            if (collection.Count == 0)
            {
                throw new UplinkLocalFaultException($"CA file {path} holds no certificate");
            }

            return collection;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.Security.Cryptography.CryptographicException)
        {
            throw new UplinkLocalFaultException($"CA file {path}: {e.Message}", e);
        }
    }

    private static X509Certificate2Collection? LoadClientCertificate(TlsOptions tls)
    {
        if (tls.CertFile is null)
        {
            return null;
        }

        try
        {
            using var pem = X509Certificate2.CreateFromPemFile(tls.CertFile, tls.KeyFile);
            // SslStream wants a certificate whose key is not ephemeral on some platforms: round-trip via PKCS#12.
            var cert = X509CertificateLoader.LoadPkcs12(pem.Export(X509ContentType.Pkcs12), null);
            return [cert];
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.Security.Cryptography.CryptographicException)
        {
            throw new UplinkLocalFaultException($"client certificate {tls.CertFile}: {e.Message}", e);
        }
    }
}
