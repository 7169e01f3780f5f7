using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace EdgeGateway.Configuration.Internal;

// A small YAML node tree built from YamlDotNet's parser events. We build our own rather than use
// YamlStream because a duplicate key must be an error we report (with both positions) and go on,
// not an exception that stops the file, and because every node must keep its start position.

internal abstract class YNode
{
    protected YNode(SourceMark start) => Start = start;

    public SourceMark Start { get; }

    /// <summary>
    /// How many nodes this one stands for with every alias inside it expanded; 0 while it is still being
    /// read (so an alias to it from within is a cycle).
    /// </summary>
    public long Expanded { get; set; }

    public abstract string Describe();
}

internal sealed class YScalar : YNode
{
    public YScalar(string value, ScalarStyle style, SourceMark start)
        : base(start)
    {
        Value = value;
        Style = style;
    }

    public string Value { get; }

    public ScalarStyle Style { get; }

    public bool IsPlain => Style is ScalarStyle.Plain or ScalarStyle.Any;

    /// <summary>An empty value or a plain <c>null</c>/<c>~</c>.</summary>
    public bool IsNull => IsPlain && Value is "" or "~" or "null" or "Null" or "NULL";

    public override string Describe() => IsNull ? "an empty value" : $"'{Value}'";
}

internal sealed class YSequence : YNode
{
    public YSequence(SourceMark start)
        : base(start)
    {
    }

    public List<YNode> Items { get; } = [];

    public override string Describe() => "a list";
}

internal sealed class YMapping : YNode
{
    public YMapping(SourceMark start)
        : base(start)
    {
    }

    public List<KeyValuePair<YNode, YNode>> Entries { get; } = [];

    public override string Describe() => "a mapping";
}

/// <summary>A YAML syntax problem, located.</summary>
internal sealed record YamlSyntaxError(SourceMark Mark, string Message);

internal static class YamlTree
{
    /// <summary>
    /// The most nodes a document may stand for, each alias counted as a full copy of what it names. A
    /// station file has a few thousand; the budget stops "billion laughs" anchors, whose expansion the
    /// reader and the validator would otherwise walk (and report on) exponentially many times.
    /// </summary>
    public const long MaxExpandedNodes = 100_000;

    /// <summary>Parses one YAML document. Returns null (and the syntax error) when the text is not YAML.</summary>
    public static YNode? Parse(string text, out YamlSyntaxError? error)
    {
        error = null;
        var parser = new TrackingParser(new Parser(new StringReader(text)));
        var anchors = new Dictionary<string, YNode>(StringComparer.Ordinal);
        var budget = new Budget();
        try
        {
            parser.Consume<StreamStart>();
            if (parser.Accept<StreamEnd>(out var end))
            {
                error = new YamlSyntaxError(ToMark(end.Start), "the file is empty");
                return null;
            }

            parser.Consume<DocumentStart>();
            var root = Read(parser, anchors, budget);
            parser.Consume<DocumentEnd>();
            if (parser.Accept<DocumentStart>(out var second))
            {
                error = new YamlSyntaxError(ToMark(second.Start), "only one YAML document is allowed ('---' starts another)");
                return null;
            }

            return root;
        }
        catch (YamlException e)
        {
            error = new YamlSyntaxError(ToMark(e.Start), "YAML syntax error: " + Clean(e));
            return null;
        }
        catch (InvalidOperationException)
        {
            // YamlDotNet's scanner throws this instead of a YamlException on some broken input (an
            // unclosed '{' or '['); the last event it produced is as close as we can point.
            error = new YamlSyntaxError(ToMark(parser.LastGood), "YAML syntax error after this point: is a '{', '[' or quote left open?");
            return null;
        }
    }

    public static SourceMark ToMark(Mark mark) => new(checked((int)mark.Line), checked((int)mark.Column));

    private static YNode Read(IParser parser, Dictionary<string, YNode> anchors, Budget budget)
    {
        if (parser.TryConsume<AnchorAlias>(out var alias))
        {
            if (!anchors.TryGetValue(alias.Value.Value, out var target))
            {
                throw new YamlException(alias.Start, alias.End, $"the alias *{alias.Value.Value} names no anchor defined above it");
            }

            if (target.Expanded == 0)
            {
                throw new YamlException(alias.Start, alias.End, $"the alias *{alias.Value.Value} is inside the node it names (a loop)");
            }

            budget.Spend(target.Expanded, alias, $"the alias *{alias.Value.Value} makes the file stand for more than {MaxExpandedNodes} values; aliases may not multiply the file");
            return target;
        }

        if (parser.TryConsume<Scalar>(out var scalar))
        {
            budget.Spend(1, scalar, $"the file holds more than {MaxExpandedNodes} values");
            var node = Anchor(anchors, scalar, new YScalar(scalar.Value, scalar.Style, ToMark(scalar.Start)));
            node.Expanded = 1;
            return node;
        }

        if (parser.TryConsume<SequenceStart>(out var seqStart))
        {
            budget.Spend(1, seqStart, $"the file holds more than {MaxExpandedNodes} values");
            var seq = Anchor(anchors, seqStart, new YSequence(ToMark(seqStart.Start)));
            var size = 1L;
            while (!parser.TryConsume<SequenceEnd>(out _))
            {
                var item = Read(parser, anchors, budget);
                seq.Items.Add(item);
                size += item.Expanded;
            }

            seq.Expanded = size;
            return seq;
        }

        var mapStart = parser.Consume<MappingStart>();
        budget.Spend(1, mapStart, $"the file holds more than {MaxExpandedNodes} values");
        var map = Anchor(anchors, mapStart, new YMapping(ToMark(mapStart.Start)));
        var mapSize = 1L;
        while (!parser.TryConsume<MappingEnd>(out _))
        {
            var key = Read(parser, anchors, budget);
            var value = Read(parser, anchors, budget);
            map.Entries.Add(new(key, value));
            mapSize += key.Expanded + value.Expanded;
        }

        map.Expanded = mapSize;
        return map;
    }

    private static T Anchor<T>(Dictionary<string, YNode> anchors, NodeEvent ev, T node)
        where T : YNode
    {
        if (!ev.Anchor.IsEmpty)
        {
            anchors[ev.Anchor.Value] = node;
        }

        return node;
    }

    // YamlDotNet prefixes its messages with "(Line: x, Col: y, Idx: z) - (...): "; we print our own position.
    private static string Clean(YamlException e)
    {
        var message = e.Message;
        var cut = message.LastIndexOf("): ", StringComparison.Ordinal);
        if (message.StartsWith("(Line:", StringComparison.Ordinal) && cut >= 0)
        {
            message = message[(cut + 3)..];
        }

        return message.TrimEnd('.');
    }

    // Every node read, and every alias at the size of what it names, is spent from one budget; the
    // whole expanded document is never built, so the count itself cannot run away.
    private sealed class Budget
    {
        private long _spent;

        public void Spend(long nodes, ParsingEvent at, string message)
        {
            _spent += nodes;
            if (_spent > MaxExpandedNodes)
            {
                throw new YamlException(at.Start, at.End, message);
            }
        }
    }

    /// <summary>Remembers where the last successfully parsed event started.</summary>
    private sealed class TrackingParser : IParser
    {
        private readonly IParser _inner;

        public TrackingParser(IParser inner) => _inner = inner;

        public Mark LastGood { get; private set; } = Mark.Empty;

        public ParsingEvent? Current => _inner.Current;

        public bool MoveNext()
        {
            var more = _inner.MoveNext();
            if (_inner.Current is { } ev)
            {
                LastGood = ev.Start;
            }

            return more;
        }
    }
}
