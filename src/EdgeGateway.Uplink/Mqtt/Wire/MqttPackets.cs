using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace EdgeGateway.Uplink.Mqtt.Wire;

/// <summary>The control packet types the station sends or understands (the fixed header's upper nibble).</summary>
internal enum PacketType : byte
{
    Connect = 1,
    ConnAck = 2,
    Publish = 3,
    PubAck = 4,
    PubRec = 5,
    PubRel = 6,
    PubComp = 7,
    Subscribe = 8,
    SubAck = 9,
    PingReq = 12,
    PingResp = 13,
    Disconnect = 14,
}

/// <summary>What the station asks of the broker in its CONNECT.</summary>
internal sealed record ConnectRequest(
    bool V5,
    string ClientId,
    ushort KeepAliveSeconds,
    string WillTopic,
    ReadOnlyMemory<byte> WillPayload,
    string? Username,
    string? Password);

/// <summary>A PUBLISH the broker delivered to the station.</summary>
internal readonly record struct InboundPublish(string Topic, ReadOnlyMemory<byte> Payload, bool Retain, int Qos, ushort PacketId);

/// <summary>The malformed or unexpected packet that ends a connection.</summary>
internal sealed class MqttProtocolException(string message) : Exception(message);

/// <summary>
/// MQTT 3.1.1 and 5.0 packets, as far as a station needs them: CONNECT out, CONNACK in, PUBLISH both ways at
/// QoS 0 and 1, PUBACK both ways, SUBSCRIBE out and SUBACK in, PINGREQ/PINGRESP, DISCONNECT both ways.
/// Every packet is a fixed header (type and flags in one byte, then the remaining length as a variable byte
/// integer of 1 to 4 bytes, 7 bits each, least significant first) and a body of that length.
/// </summary>
internal static class MqttPackets
{
    /// <summary>The largest packet the station accepts from a broker (commands are a few hundred bytes).</summary>
    public const int MaxInbound = 1 << 20;

    // MQTT 5 property identifiers the station writes or reads.
    private const byte ContentTypeProperty = 0x03;
    private const byte ServerKeepAliveProperty = 0x13;
    private const byte ReasonStringProperty = 0x1F;
    private const byte ReceiveMaximumProperty = 0x21;

    /// <summary>
    /// CONNECT: "MQTT", level 4 (3.1.1) or 5, connect flags, keep-alive; [v5: properties, none]; then the payload:
    /// client id, [v5: will properties, none], will topic, will payload, user name, password. The will is always
    /// QoS 1 and retained (the offline status), the session always clean.
    /// </summary>
    public static byte[] Connect(ConnectRequest c)
    {
        var w = new ArrayBufferWriter<byte>(256);
        var body = new ArrayBufferWriter<byte>(256);
        WriteString(body, "MQTT");
        WriteByte(body, c.V5 ? (byte)5 : (byte)4);
        // user name 0x80, password 0x40, will retain 0x20, will QoS 1 0x08, will 0x04, clean session/start 0x02
        var flags = (byte)(0x02 | 0x04 | 0x08 | 0x20);
        if (c.Username is not null)
        {
            flags |= 0x80;
            if (c.Password is not null)
            {
                flags |= 0x40;
            }
        }

        WriteByte(body, flags);
        WriteUInt16(body, c.KeepAliveSeconds);
        if (c.V5)
        {
            WriteVarInt(body, 0);
        }

        WriteString(body, c.ClientId);
        if (c.V5)
        {
            WriteVarInt(body, 0);
        }

        WriteString(body, c.WillTopic);
        WriteBinary(body, c.WillPayload.Span);
        if (c.Username is not null)
        {
            WriteString(body, c.Username);
            if (c.Password is not null)
            {
                WriteString(body, c.Password);
            }
        }

        WriteHeader(w, (byte)PacketType.Connect << 4, body.WrittenCount);
        Write(w, body.WrittenSpan);
        return w.WrittenSpan.ToArray();
    }

    /// <summary>
    /// PUBLISH at QoS 0 or 1: topic, [packet id when QoS 1], [v5: properties: the content type when given], payload.
    /// </summary>
    public static void Publish(IBufferWriter<byte> w, bool v5, string topic, ReadOnlySpan<byte> payload, bool qos1, bool retain,
        ushort packetId, string? contentType)
    {
        var topicBytes = Encoding.UTF8.GetByteCount(topic);
        var typeBytes = contentType is null ? 0 : Encoding.UTF8.GetByteCount(contentType);
        var properties = contentType is null ? 0 : 1 + 2 + typeBytes;
        var remaining = 2 + topicBytes + (qos1 ? 2 : 0) + (v5 ? VarIntSize(properties) + properties : 0) + payload.Length;
        var first = (byte)(((byte)PacketType.Publish << 4) | (qos1 ? 0x02 : 0) | (retain ? 0x01 : 0));
        WriteHeader(w, first, remaining);
        WriteUInt16(w, (ushort)topicBytes);
        var span = w.GetSpan(topicBytes);
        Encoding.UTF8.GetBytes(topic, span);
        w.Advance(topicBytes);
        if (qos1)
        {
            WriteUInt16(w, packetId);
        }

        if (v5)
        {
            WriteVarInt(w, properties);
            if (contentType is not null)
            {
                WriteByte(w, ContentTypeProperty);
                WriteString(w, contentType);
            }
        }

        Write(w, payload);
    }

    /// <summary>SUBSCRIBE: packet id, [v5: properties, none], then each filter with its options byte.</summary>
    public static byte[] Subscribe(bool v5, ushort packetId, IReadOnlyList<string> filters, bool retainAsPublished)
    {
        var body = new ArrayBufferWriter<byte>(128);
        WriteUInt16(body, packetId);
        if (v5)
        {
            WriteVarInt(body, 0);
        }

        foreach (var filter in filters)
        {
            WriteString(body, filter);
            // Maximum QoS 1; v5 adds Retain As Published (0x08): a retained command stays recognisable.
            WriteByte(body, (byte)(0x01 | (v5 && retainAsPublished ? 0x08 : 0)));
        }

        var w = new ArrayBufferWriter<byte>(body.WrittenCount + 5);
        WriteHeader(w, ((byte)PacketType.Subscribe << 4) | 0x02, body.WrittenCount);
        Write(w, body.WrittenSpan);
        return w.WrittenSpan.ToArray();
    }

    /// <summary>PUBACK, PUBREC or PUBCOMP (reason Success, omitted) or PUBREL (flags 0x02): the packet id alone.</summary>
    public static byte[] Ack(PacketType type, ushort packetId) =>
        [(byte)(((byte)type << 4) | (type == PacketType.PubRel ? 0x02 : 0)), 2, (byte)(packetId >> 8), (byte)packetId];

    public static readonly byte[] PingReq = [(byte)PacketType.PingReq << 4, 0];

    /// <summary>DISCONNECT, normal disconnection (the will is not sent; v5 omits reason 0 with a zero length).</summary>
    public static readonly byte[] Disconnect = [(byte)PacketType.Disconnect << 4, 0];

    /// <summary>
    /// Finds the first whole packet in <paramref name="buffer"/>: false when more bytes are needed; the packet's
    /// first byte and body otherwise, and <paramref name="length"/> the bytes it took.
    /// </summary>
    public static bool TryFrame(ReadOnlySpan<byte> buffer, out byte first, out int bodyStart, out int bodyLength, out int length)
    {
        first = 0;
        bodyStart = bodyLength = length = 0;
        if (buffer.Length < 2)
        {
            return false;
        }

        var value = 0;
        var shift = 0;
        var i = 1;
        while (true)
        {
            if (i >= buffer.Length)
            {
                return false;
            }

            var b = buffer[i++];
            value |= (b & 0x7F) << shift;
            if ((b & 0x80) == 0)
            {
                break;
            }

            shift += 7;
            if (shift > 21)
            {
                throw new MqttProtocolException("malformed remaining length (more than 4 bytes)");
            }
        }

        if (value > MaxInbound)
        {
            throw new MqttProtocolException($"packet of {value} bytes is larger than the {MaxInbound} accepted");
        }

        if (buffer.Length - i < value)
        {
            return false;
        }

        first = buffer[0];
        bodyStart = i;
        bodyLength = value;
        length = i + value;
        return true;
    }

    /// <summary>
    /// CONNACK: flags (session present), return code (3.1.1) or reason code (5), [v5: properties, of which the
    /// Receive Maximum and the Server Keep Alive matter here]. A v5 reason is its code; a 3.1.1 return code
    /// 1-5 is mapped to the v5 code of the same meaning, so one list of names serves both.
    /// </summary>
    public static (byte Reason, int ReceiveMaximum, int? ServerKeepAlive, string? ReasonString) ParseConnAck(ReadOnlySpan<byte> body, bool v5)
    {
        var r = new Reader(body);
        r.Byte();
        var code = r.Byte();
        if (!v5)
        {
            byte[] map = [0x00, 0x84, 0x85, 0x88, 0x86, 0x87];
            return (code < map.Length ? map[code] : (byte)0x80, 0, null, null);
        }

        int receiveMaximum = 0;
        int? keepAlive = null;
        string? reasonString = null;
        if (r.Remaining > 0)
        {
            r.Properties((id, ref p) =>
            {
                switch (id)
                {
                    case ReceiveMaximumProperty:
                        receiveMaximum = p.UInt16();
                        return true;
                    case ServerKeepAliveProperty:
                        keepAlive = p.UInt16();
                        return true;
                    case ReasonStringProperty:
                        reasonString = p.String();
                        return true;
                    default:
                        return false;
                }
            });
        }

        return (code, receiveMaximum, keepAlive, reasonString);
    }

    /// <summary>PUBACK (and SUBACK's leading id): packet id, [v5: reason code, absent meaning Success].</summary>
    public static (ushort PacketId, byte Reason) ParsePubAck(ReadOnlySpan<byte> body)
    {
        var r = new Reader(body);
        var id = r.UInt16();
        return (id, r.Remaining > 0 ? r.Byte() : (byte)0);
    }

    /// <summary>SUBACK: packet id, [v5: properties], one return or reason code per filter.</summary>
    public static ushort ParseSubAck(ReadOnlySpan<byte> body, bool v5, out ReadOnlySpan<byte> codes)
    {
        var r = new Reader(body);
        var id = r.UInt16();
        if (v5)
        {
            r.Properties((_, ref _) => false);
        }

        codes = r.Rest();
        return id;
    }

    /// <summary>An inbound PUBLISH: topic, [packet id when QoS > 0], [v5: properties, skipped], payload.</summary>
    public static InboundPublish ParsePublish(byte first, ReadOnlySpan<byte> body, bool v5)
    {
        var qos = (first >> 1) & 0x03;
        if (qos == 3)
        {
            throw new MqttProtocolException("PUBLISH with QoS 3");
        }

        var r = new Reader(body);
        var topic = r.String();
        ushort id = qos > 0 ? r.UInt16() : (ushort)0;
        if (v5)
        {
            r.Properties((_, ref _) => false);
        }

        return new InboundPublish(topic, r.Rest().ToArray(), (first & 0x01) != 0, qos, id);
    }

    /// <summary>A v5 DISCONNECT from the broker: its reason code (0 when the body is empty).</summary>
    public static byte ParseDisconnect(ReadOnlySpan<byte> body) => body.Length > 0 ? body[0] : (byte)0;

    /// <summary>The name of an MQTT 5 reason code (3.1.1 CONNACK codes arrive mapped to these).</summary>
    public static string ReasonName(byte code) => code switch
    {
        0x00 => "Success",
        0x10 => "NoMatchingSubscribers",
        0x80 => "UnspecifiedError",
        0x81 => "MalformedPacket",
        0x82 => "ProtocolError",
        0x83 => "ImplementationSpecificError",
        0x84 => "UnsupportedProtocolVersion",
        0x85 => "ClientIdentifierNotValid",
        0x86 => "BadUserNameOrPassword",
        0x87 => "NotAuthorized",
        0x88 => "ServerUnavailable",
        0x89 => "ServerBusy",
        0x8A => "Banned",
        0x8B => "ServerShuttingDown",
        0x8C => "BadAuthenticationMethod",
        0x8D => "KeepAliveTimeout",
        0x8E => "SessionTakenOver",
        0x90 => "TopicNameInvalid",
        0x91 => "PacketIdentifierInUse",
        0x93 => "ReceiveMaximumExceeded",
        0x95 => "PacketTooLarge",
        0x97 => "QuotaExceeded",
        0x98 => "AdministrativeAction",
        0x99 => "PayloadFormatInvalid",
        0x9A => "RetainNotSupported",
        0x9B => "QoSNotSupported",
        0x9C => "UseAnotherServer",
        0x9D => "ServerMoved",
        0x9F => "ConnectionRateExceeded",
        _ => $"0x{code:X2}",
    };

    private static void WriteHeader(IBufferWriter<byte> w, int first, int remaining)
    {
        WriteByte(w, (byte)first);
        WriteVarInt(w, remaining);
    }

    private static int VarIntSize(int value) => value < 128 ? 1 : value < 16384 ? 2 : value < 2097152 ? 3 : 4;

    private static void WriteVarInt(IBufferWriter<byte> w, int value)
    {
        var span = w.GetSpan(4);
        var n = 0;
        do
        {
            var b = (byte)(value & 0x7F);
            value >>= 7;
            span[n++] = value > 0 ? (byte)(b | 0x80) : b;
        }
        while (value > 0);

        w.Advance(n);
    }

    private static void WriteByte(IBufferWriter<byte> w, byte value)
    {
        w.GetSpan(1)[0] = value;
        w.Advance(1);
    }

    private static void WriteUInt16(IBufferWriter<byte> w, ushort value)
    {
        BinaryPrimitives.WriteUInt16BigEndian(w.GetSpan(2), value);
        w.Advance(2);
    }

    // UTF-8 string: two-byte length, then the bytes.
    private static void WriteString(IBufferWriter<byte> w, string value)
    {
        var count = Encoding.UTF8.GetByteCount(value);
        if (count > ushort.MaxValue)
        {
            throw new ArgumentException($"string of {count} bytes is longer than MQTT allows", nameof(value));
        }

        WriteUInt16(w, (ushort)count);
        Encoding.UTF8.GetBytes(value, w.GetSpan(count));
        w.Advance(count);
    }

    private static void WriteBinary(IBufferWriter<byte> w, ReadOnlySpan<byte> value)
    {
        WriteUInt16(w, checked((ushort)value.Length));
        Write(w, value);
    }

    private static void Write(IBufferWriter<byte> w, ReadOnlySpan<byte> value)
    {
        value.CopyTo(w.GetSpan(value.Length));
        w.Advance(value.Length);
    }

    /// <summary>Reads one property value given its identifier; false when the reader should skip it.</summary>
    internal delegate bool PropertyHandler(byte id, ref Reader reader);

    /// <summary>A cursor over a packet body: every read checks the bounds once and throws a protocol error past the end.</summary>
    internal ref struct Reader(ReadOnlySpan<byte> span)
    {
        private readonly ReadOnlySpan<byte> _span = span;
        private int _pos;

        public readonly int Remaining => _span.Length - _pos;

        public byte Byte()
        {
            Need(1);
            return _span[_pos++];
        }

        public ushort UInt16()
        {
            Need(2);
            var v = BinaryPrimitives.ReadUInt16BigEndian(_span[_pos..]);
            _pos += 2;
            return v;
        }

        public int VarInt()
        {
            var value = 0;
            for (var shift = 0; shift <= 21; shift += 7)
            {
                var b = Byte();
                value |= (b & 0x7F) << shift;
                if ((b & 0x80) == 0)
                {
                    return value;
                }
            }

            throw new MqttProtocolException("malformed variable byte integer");
        }

        public string String()
        {
            var length = UInt16();
            return Encoding.UTF8.GetString(Take(length));
        }

        public ReadOnlySpan<byte> Take(int count)
        {
            Need(count);
            var s = _span.Slice(_pos, count);
            _pos += count;
            return s;
        }

        public ReadOnlySpan<byte> Rest() => Take(Remaining);

        /// <summary>Reads a v5 property list, handing each to <paramref name="handler"/> and skipping what it does not take.</summary>
        public void Properties(PropertyHandler handler)
        {
            var length = VarInt();
            Need(length);
            var end = _pos + length;
            while (_pos < end)
            {
                var id = (byte)VarInt();
                if (!handler(id, ref this))
                {
                    Skip(id);
                }
            }

            if (_pos != end)
            {
                throw new MqttProtocolException("property list overruns its length");
            }
        }

        // The property's type follows from its identifier (MQTT 5, 2.2.2.2).
        private void Skip(byte id)
        {
            switch (id)
            {
                case 0x01 or 0x17 or 0x19 or 0x24 or 0x25 or 0x28 or 0x29 or 0x2A:
                    Take(1);
                    break;
                case 0x13 or 0x21 or 0x22 or 0x23:
                    Take(2);
                    break;
                case 0x02 or 0x11 or 0x18 or 0x27:
                    Take(4);
                    break;
                case 0x0B:
                    VarInt();
                    break;
                case 0x03 or 0x08 or 0x12 or 0x15 or 0x1A or 0x1C or 0x1F:
                    Take(UInt16());
                    break;
                case 0x09 or 0x16:
                    Take(UInt16());
                    break;
                case 0x26:
                    Take(UInt16());
                    Take(UInt16());
                    break;
                default:
                    throw new MqttProtocolException($"unknown property 0x{id:X2}");
            }
        }

        private readonly void Need(int count)
        {
            if (count < 0 || _span.Length - _pos < count)
            {
                throw new MqttProtocolException("packet shorter than its fields");
            }
        }
    }
}
