using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using MQTTnet;

namespace EdgeGateway.Uplink.Tests.Mqtt;

public sealed class BrokerSecurityTests
{
    private static readonly TimeSpan Long = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Will_AfterGatewayKilledWithSignal9_IsRetainedOffline()
    {
        await using var broker = await MosquittoBroker.StartAsync();
        using var data = new TempDirectory();
        using var gateway = TestProcess.Start("dotnet", typeof(UplinkHostProgram).Assembly.Location, "uplink-host",
            broker.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), data.Path);
        await gateway.WaitForLineAsync(l => l == "connected", Long);
        await using var hub = await Subscriber.ConnectAsync(broker.Port, $"ews/{UplinkHarness.Station}/status");
        await hub.WaitUntilAsync(m => m.Any(x => x.Payload.Contains("\"online\"", StringComparison.Ordinal)), Long, "birth");

        gateway.Kill(); // SIGKILL: no DISCONNECT, the broker must publish the will.
        await hub.WaitUntilAsync(m => m.Any(x => x.Payload.Contains("\"offline\"", StringComparison.Ordinal)), Long, "the will");

        // A hub connecting later finds the station offline (retained).
        await using var late = await Subscriber.ConnectAsync(broker.Port, $"ews/{UplinkHarness.Station}/status");
        await late.WaitUntilAsync(m => m.Count > 0, Long, "retained will");
        var will = late.Messages.First();
        Assert.True(will.Retain);
        using var json = JsonDocument.Parse(will.Payload);
        Assert.Equal("offline", json.RootElement.GetProperty("state").GetString());
        Assert.Equal(UplinkHarness.Station, json.RootElement.GetProperty("station").GetString());
    }

    [Fact]
    public async Task Acl_StationA_CannotPublishOrReadStationBTopics()
    {
        using var dir = new TempDirectory();
        var passwd = dir.File("passwd");
        await UplinkServiceTests.RunToolAsync("mosquitto_passwd", "-b", "-c", passwd, "hub", "hub-pw");
        await UplinkServiceTests.RunToolAsync("mosquitto_passwd", "-b", passwd, "station-a", "a-pw");
        await UplinkServiceTests.RunToolAsync("mosquitto_passwd", "-b", passwd, "station-b", "b-pw");
        dir.OpenToServices();
        await using var broker = await MosquittoBroker.StartAsync($"allow_anonymous false\npassword_file {passwd}\nacl_file {RepositoryRoot.File("firmware-config/mosquitto/edge-gateway.acl")}\n");

        await using var hub = await Subscriber.ConnectAsync(broker.Port, "ews/#", "hub", "hub-pw");
        await using var a = await Subscriber.ConnectAsync(broker.Port, "ews/station-b/cmd", "station-a", "a-pw");
        await using var aOwn = await Subscriber.ConnectAsync(broker.Port, "ews/station-a/cmd", "station-a", "a-pw", "station-a-own");
        await using var aAll = await Subscriber.ConnectAsync(broker.Port, "ews/all/cmd", "station-a", "a-pw", "station-a-all");

        // A writing as B is refused (MQTT 5 PUBACK "not authorized") and the hub never sees it.
        var forged = await a.PublishAsync("ews/station-b/alert", "{\"forged\":true}");
        Assert.Equal(MqttClientPublishReasonCode.NotAuthorized, forged.ReasonCode);
        var own = await a.PublishAsync("ews/station-a/alert", "{\"own\":true}");
        Assert.True(own.ReasonCode is MqttClientPublishReasonCode.Success or MqttClientPublishReasonCode.NoMatchingSubscribers);

        // The hub's commands for B do not reach A; A's own and "all" commands do.
        await hub.PublishAsync("ews/station-b/cmd", "for-b");
        await hub.PublishAsync("ews/station-a/cmd", "for-a");
        await hub.PublishAsync("ews/all/cmd", "for-all");
        await hub.WaitUntilAsync(m => m.Any(x => x.Topic == "ews/station-a/alert"), Long, "A's own alert");
        await aOwn.WaitUntilAsync(m => m.Any(x => x.Payload == "for-a"), Long, "A's own command");
        await aAll.WaitUntilAsync(m => m.Any(x => x.Payload == "for-all"), Long, "the all command");
        // The hub saw its own three commands and A's alert; the forged one never arrived. Messages on one
        // connection are delivered in order, so by now anything else A's subscription would get is here.
        await hub.WaitUntilAsync(m => m.Any(x => x.Payload == "for-all"), Long, "the hub's echo");
        Assert.DoesNotContain(hub.Messages, x => x.Topic == "ews/station-b/alert");
        Assert.Empty(a.Messages);
    }

    [Fact]
    public async Task Tls_PrivateCa_ConnectsAndOtherCaIsRefused()
    {
        using var dir = new TempDirectory();
        TestCertificates.Write(dir.Path);
        dir.OpenToServices();

        await using var broker = await MosquittoBroker.StartAsync($"allow_anonymous true\ncafile {dir.File("ca.crt")}\ncertfile {dir.File("server.crt")}\nkeyfile {dir.File("server.key")}\n");
        await using (var good = new UplinkHarness(broker.Port, o => o.Mqtt.Tls = new TlsOptions { CaFile = dir.File("ca.crt"), ServerName = "localhost" }))
        {
            await good.StartAsync();
            await good.WaitConnectedAsync();
        }

        await using var bad = new UplinkHarness(broker.Port, o => o.Mqtt.Tls = new TlsOptions { CaFile = dir.File("other-ca.crt"), ServerName = "localhost" });
        await bad.StartAsync();
        await UplinkServiceTests.WaitForAsync(() => bad.Service.Status.State == UplinkState.Disconnected && bad.Service.Status.LastError is not null,
            "a refused TLS handshake");
        Assert.False(bad.ConnectedOnce.Task.IsCompleted);
    }

    [Fact]
    public void Validate_ServerCertificateOutsideValidityOnImplausibleClock_IsAcceptedOnlyThen()
    {
        using var caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var caReq = new CertificateRequest("CN=CA", caKey, HashAlgorithmName.SHA256);
        caReq.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        var now = DateTimeOffset.UtcNow;
        using var ca = caReq.CreateSelfSigned(now.AddYears(-3), now.AddYears(5));
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        // Expired yesterday: what a station at the wrong time would see as "not time valid".
        using var leaf = new CertificateRequest("CN=localhost", key, HashAlgorithmName.SHA256).Create(ca, now.AddYears(-2), now.AddDays(-1), [9]);
        X509Certificate2Collection trust = [X509CertificateLoader.LoadCertificate(ca.RawData)];
        Assert.False(EdgeGateway.Uplink.Mqtt.ClientOptionsFactory.Validate(leaf, System.Net.Security.SslPolicyErrors.None, trust, clockPlausible: true));
        Assert.True(EdgeGateway.Uplink.Mqtt.ClientOptionsFactory.Validate(leaf, System.Net.Security.SslPolicyErrors.None, trust, clockPlausible: false));
    }
}
