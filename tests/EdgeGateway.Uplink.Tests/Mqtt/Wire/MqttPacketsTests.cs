using System.Buffers;
using System.Text;
using EdgeGateway.Uplink.Mqtt.Wire;

namespace EdgeGateway.Uplink.Tests.Mqtt.Wire;

// Byte-exact packets, laid out by hand from the MQTT 3.1.1 and 5.0 specifications.
public sealed class MqttPacketsTests
{
    [Fact]
    public void Connect_V311WithCredentials_IsLaidOutAsTheSpecificationSays()
    {
        var packet = MqttPackets.Connect(new ConnectRequest(false, "st", 30, "w/t", "off"u8.ToArray(), "u", "p"));

        byte[] body =
        [
            0x00, 0x04, (byte)'M', (byte)'Q', (byte)'T', (byte)'T', 0x04,
            0xEE, // user name, password, will retain, will QoS 1, will flag, clean session
            0x00, 0x1E, // keep-alive 30 s
            0x00, 0x02, (byte)'s', (byte)'t',
            0x00, 0x03, (byte)'w', (byte)'/', (byte)'t',
            0x00, 0x03, (byte)'o', (byte)'f', (byte)'f',
            0x00, 0x01, (byte)'u',
            0x00, 0x01, (byte)'p',
        ];
        Assert.Equal([0x10, (byte)body.Length, .. body], packet);
    }

    [Fact]
    public void Connect_V5WithoutCredentials_CarriesEmptyPropertiesAndWillProperties()
    {
        var packet = MqttPackets.Connect(new ConnectRequest(true, "s", 0, "w", "x"u8.ToArray(), null, null));

        byte[] body =
        [
            0x00, 0x04, (byte)'M', (byte)'Q', (byte)'T', (byte)'T', 0x05,
            0x2E, 0x00, 0x00,
            0x00, // CONNECT properties
            0x00, 0x01, (byte)'s',
            0x00, // will properties
            0x00, 0x01, (byte)'w',
            0x00, 0x01, (byte)'x',
        ];
        Assert.Equal([0x10, (byte)body.Length, .. body], packet);
    }

    [Fact]
    public void Publish_V5Qos1WithContentType_HasIdPropertiesAndPayload()
    {
        var w = new ArrayBufferWriter<byte>();
        MqttPackets.Publish(w, v5: true, "a/b", "{}"u8, qos1: true, retain: false, packetId: 0x0102, "text/x");

        byte[] body =
        [
            0x00, 0x03, (byte)'a', (byte)'/', (byte)'b',
            0x01, 0x02,
            0x09, 0x03, 0x00, 0x06, .. "text/x"u8,
            (byte)'{', (byte)'}',
        ];
        Assert.Equal([0x32, (byte)body.Length, .. body], w.WrittenSpan.ToArray());
    }

    [Fact]
    public void Publish_V311RetainedLargePayload_UsesATwoByteRemainingLength()
    {
        var w = new ArrayBufferWriter<byte>();
        var payload = new byte[300];
        MqttPackets.Publish(w, v5: false, "t", payload, qos1: true, retain: true, packetId: 7, contentType: null);

        // 2 + 1 (topic) + 2 (id) + 300 = 305 = 0b10_0110001: 0xB1 0x02.
        Assert.Equal([0x33, 0xB1, 0x02, 0x00, 0x01, (byte)'t', 0x00, 0x07], w.WrittenSpan[..8].ToArray());
        Assert.Equal(308, w.WrittenCount);
        Assert.True(MqttPackets.TryFrame(w.WrittenSpan, out var first, out var bodyStart, out var bodyLength, out var length));
        Assert.Equal((0x33, 3, 305, 308), (first, bodyStart, bodyLength, length));
    }

    [Fact]
    public void Subscribe_V5_AsksQos1AndRetainAsPublished()
    {
        var packet = MqttPackets.Subscribe(v5: true, 9, ["c/1", "c/2"], retainAsPublished: true);

        Assert.Equal(
            [0x82, 0x0F, 0x00, 0x09, 0x00, 0x00, 0x03, (byte)'c', (byte)'/', (byte)'1', 0x09, 0x00, 0x03, (byte)'c', (byte)'/', (byte)'2', 0x09],
            packet);
    }

    [Fact]
    public void Subscribe_V311_HasNoPropertiesAndNoRetainAsPublished()
    {
        var packet = MqttPackets.Subscribe(v5: false, 1, ["c"], retainAsPublished: true);

        Assert.Equal([0x82, 0x06, 0x00, 0x01, 0x00, 0x01, (byte)'c', 0x01], packet);
    }

    [Fact]
    public void TryFrame_PartialPacket_AsksForMore()
    {
        byte[] puback = [0x40, 0x02, 0x00, 0x05];

        Assert.False(MqttPackets.TryFrame(puback.AsSpan(0, 1), out _, out _, out _, out _));
        Assert.False(MqttPackets.TryFrame(puback.AsSpan(0, 3), out _, out _, out _, out _));
        Assert.True(MqttPackets.TryFrame(puback, out _, out _, out var bodyLength, out var length));
        Assert.Equal((2, 4), (bodyLength, length));
    }

    [Fact]
    public void TryFrame_FiveByteLengthOrOversizedPacket_IsAProtocolError()
    {
        Assert.Throws<MqttProtocolException>(() => MqttPackets.TryFrame([0x30, 0xFF, 0xFF, 0xFF, 0xFF, 0x01], out _, out _, out _, out _));
        // 0x7F 0xFF 0xFF... as four bytes: 268 MB, over the limit.
        Assert.Throws<MqttProtocolException>(() => MqttPackets.TryFrame([0x30, 0xFF, 0xFF, 0xFF, 0x7F], out _, out _, out _, out _));
    }

    [Fact]
    public void ParseConnAck_V5_ReadsReceiveMaximumAndKeepAliveAndSkipsTheRest()
    {
        byte[] body =
        [
            0x00, 0x00,
            0x0E, // properties length 14
            0x24, 0x01, // Maximum QoS 1 (skipped)
            0x21, 0x00, 0x14, // Receive Maximum 20
            0x12, 0x00, 0x01, (byte)'x', // Assigned Client Identifier (skipped)
            0x13, 0x00, 0x3C, // Server Keep Alive 60
            0x25, 0x01, // Retain Available (skipped)
        ];
        body[2] = (byte)(body.Length - 3);

        var (reason, receiveMaximum, keepAlive, reasonString) = MqttPackets.ParseConnAck(body, v5: true);

        Assert.Equal((0, 20, 60, null), (reason, receiveMaximum, keepAlive, reasonString));
    }

    [Theory]
    [InlineData(4, "BadUserNameOrPassword")]
    [InlineData(5, "NotAuthorized")]
    [InlineData(3, "ServerUnavailable")]
    public void ParseConnAck_V311Refusal_MapsToTheV5Name(byte code, string name)
    {
        var (reason, _, _, _) = MqttPackets.ParseConnAck([0x00, code], v5: false);

        Assert.Equal(name, MqttPackets.ReasonName(reason));
    }

    [Fact]
    public void ParseConnAck_PropertiesOverrunningThePacket_IsAProtocolError()
    {
        Assert.Throws<MqttProtocolException>(() => MqttPackets.ParseConnAck([0x00, 0x00, 0x05, 0x21, 0x00], v5: true));
    }

    [Fact]
    public void ParsePublish_V5Qos1Retained_ReadsTopicIdAndPayloadPastProperties()
    {
        byte[] body = [0x00, 0x01, (byte)'c', 0x00, 0x2A, 0x04, 0x03, 0x00, 0x01, (byte)'j', .. "tok"u8];

        var message = MqttPackets.ParsePublish(0x33, body, v5: true);

        Assert.Equal(("c", 1, (ushort)42, true, "tok"), (message.Topic, message.Qos, message.PacketId, message.Retain, Encoding.UTF8.GetString(message.Payload.Span)));
    }

    [Fact]
    public void ParsePubAck_V311AndV5_ReadsIdAndReason()
    {
        Assert.Equal(((ushort)5, (byte)0), MqttPackets.ParsePubAck([0x00, 0x05]));
        Assert.Equal(((ushort)5, (byte)0x87), MqttPackets.ParsePubAck([0x00, 0x05, 0x87, 0x00]));
    }
}
