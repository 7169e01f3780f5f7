using System.Globalization;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace EdgeGateway.Hub.Configuration;

/// <summary>Reads hub.yaml; every problem as <c>FILE:LINE:COLUMN: path: message</c>.</summary>
public static class HubConfigLoader
{
    public static (HubOptions? Options, IReadOnlyList<string> Errors) Load(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return (null, [$"{path}:1:1: cannot read: {e.Message}"]);
        }

        return Parse(text, path);
    }

    public static (HubOptions? Options, IReadOnlyList<string> Errors) Parse(string text, string file)
    {
        var reader = new Reader(file);
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(text));
        }
        catch (YamlException e)
        {
            return (null, [$"{file}:{e.Start.Line}:{e.Start.Column}: YAML syntax error: {e.Message}"]);
        }

        if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is not YamlMappingNode root)
        {
            return (null, [$"{file}:1:1: expected a mapping with a 'hub' key"]);
        }

        var options = new HubOptions();
        var top = reader.Map(root, "")!;
        if (top.Get("hub", required: true) is { } hubNode && reader.Map(hubNode, "hub") is { } hub)
        {
            if (hub.Get("amqp") is { } amqpNode && reader.Map(amqpNode, "hub.amqp") is { } a)
            {
                options.Amqp = ReadAmqp(reader, a);
            }

            if (hub.Get("mqtt") is { } mqttNode && reader.Map(mqttNode, "hub.mqtt") is { } m)
            {
                options.Mqtt = new HubMqttOptions
                {
                    Host = m.Text("host", required: true) ?? "",
                    Port = m.Port("port") ?? HubMqttOptions.DefaultPort,
                    Username = m.Text("username"),
                    Password = m.Text("password"),
                    PasswordFile = m.Text("passwordFile"),
                    ClientId = m.Text("clientId"),
                    TlsCa = m.Get("tls") is { } tlsNode && reader.Map(tlsNode, "hub.mqtt.tls") is { } tls ? tls.Text("ca") : null,
                };
                if (options.Mqtt.Password is not null && options.Mqtt.PasswordFile is not null)
                {
                    reader.Error(m.ValueNode("password")!, "hub.mqtt.password", "give password or passwordFile, not both");
                }

                m.Done();
            }

            if (options.Amqp is null == (options.Mqtt is null) && hub.Errors == reader.Errors.Count)
            {
                reader.Error(hubNode, "hub", "give exactly one of amqp (RabbitMQ) or mqtt (a single broker)");
            }

            options.Prefix = hub.Text("prefix") ?? options.Prefix;
            if (options.Prefix.Length == 0 || options.Prefix.IndexOfAny(['+', '#', ' ', '.']) >= 0)
            {
                reader.Error(hub.ValueNode("prefix") ?? hubNode, "hub.prefix", $"'{options.Prefix}' is not a topic prefix: no '+', '#', '.' or spaces");
            }

            options.Postgres = hub.Text("postgres", required: true) ?? "";
            options.BatchSize = hub.Int("batchSize") ?? options.BatchSize;
            hub.Done();
        }

        top.Done();
        return reader.Errors.Count == 0 ? (options, []) : (null, reader.Errors);
    }

    private static AmqpOptions ReadAmqp(Reader reader, Reader.MapView a)
    {
        var amqp = new AmqpOptions();
        if (a.Get("hosts", required: true) is { } hostsNode)
        {
            if (hostsNode is not YamlSequenceNode seq || seq.Children.Count == 0)
            {
                reader.Error(hostsNode, "hub.amqp.hosts", "expected a list of \"host:port\"");
            }
            else
            {
                for (var i = 0; i < seq.Children.Count; i++)
                {
                    var item = seq.Children[i];
                    var value = (item as YamlScalarNode)?.Value ?? "";
                    var colon = value.LastIndexOf(':');
                    if (colon <= 0 || !int.TryParse(value.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var port)
                        || port is < 1 or > 65535)
                    {
                        reader.Error(item, $"hub.amqp.hosts[{i}]", $"'{value}' is not HOST:PORT");
                        continue;
                    }

                    amqp.Hosts.Add((value[..colon].Trim('[', ']'), port));
                }
            }
        }

        amqp.Username = a.Text("username") ?? amqp.Username;
        amqp.Password = a.Text("password");
        amqp.PasswordFile = a.Text("passwordFile");
        if (amqp.Password is not null && amqp.PasswordFile is not null)
        {
            reader.Error(a.ValueNode("password")!, "hub.amqp.password", "give password or passwordFile, not both");
        }

        amqp.Queue = a.Text("queue") ?? amqp.Queue;
        if (a.Int("prefetch") is { } prefetch)
        {
            if (prefetch is < 1 or > ushort.MaxValue)
            {
                reader.Error(a.ValueNode("prefetch")!, "hub.amqp.prefetch", "must be 1-65535");
            }
            else
            {
                amqp.Prefetch = (ushort)prefetch;
            }
        }

        a.Done();
        return amqp;
    }

    private sealed class Reader(string file)
    {
        public List<string> Errors { get; } = [];

        public void Error(YamlNode node, string path, string message) =>
            Errors.Add(path.Length == 0
                ? $"{file}:{node.Start.Line}:{node.Start.Column}: {message}"
                : $"{file}:{node.Start.Line}:{node.Start.Column}: {path}: {message}");

        public MapView? Map(YamlNode node, string path)
        {
            if (node is YamlMappingNode map)
            {
                return new MapView(this, map, path);
            }

            Error(node, path, "expected a mapping");
            return null;
        }

        public sealed class MapView(Reader reader, YamlMappingNode map, string path)
        {
            private readonly HashSet<string> _known = new(StringComparer.Ordinal);

            /// <summary>Errors so far when the view was opened (to avoid piling a complaint on a broken section).</summary>
            public int Errors { get; } = reader.Errors.Count;

            public YamlNode? ValueNode(string key) =>
                map.Children.FirstOrDefault(e => e.Key is YamlScalarNode k && k.Value == key).Value;

            public YamlNode? Get(string key, bool required = false)
            {
                _known.Add(key);
                var node = ValueNode(key);
                if (node is null && required)
                {
                    reader.Error(map, path, $"'{key}' is missing");
                }

                return node;
            }

            public string? Text(string key, bool required = false)
            {
                if (Get(key, required) is not { } node)
                {
                    return null;
                }

                if (node is YamlScalarNode { Value: { Length: > 0 } v })
                {
                    return v;
                }

                reader.Error(node, Join(key), "expected a text value");
                return null;
            }

            public int? Int(string key)
            {
                if (Text(key) is not { } v)
                {
                    return null;
                }

                if (int.TryParse(v, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n))
                {
                    return n;
                }

                reader.Error(ValueNode(key)!, Join(key), $"expected a whole number, found '{v}'");
                return null;
            }

            public int? Port(string key)
            {
                var p = Int(key);
                return p is < 1 or > 65535 ? Bad(key, p.Value) : p;
            }

            public void Done()
            {
                foreach (var (k, _) in map.Children)
                {
                    if (k is YamlScalarNode { Value: { } name } && !_known.Contains(name))
                    {
                        reader.Error(k, Join(name), $"unknown key; known: {string.Join(", ", _known)}");
                    }
                }
            }

            private int? Bad(string key, int port)
            {
                reader.Error(ValueNode(key)!, Join(key), $"{port} is not a TCP port (1-65535)");
                return null;
            }

            private string Join(string key) => path.Length == 0 ? key : path + "." + key;
        }
    }
}
