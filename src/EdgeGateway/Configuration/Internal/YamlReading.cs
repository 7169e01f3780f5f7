using System.Globalization;

namespace EdgeGateway.Configuration.Internal;

/// <summary>Collects located errors and turns scalar nodes into typed values.</summary>
internal sealed class LoadContext
{
    public LoadContext(string file) => File = file;

    public string File { get; }

    public List<ConfigError> Errors { get; } = [];

    public void Error(SourceMark mark, string path, string message) => Errors.Add(new ConfigError(File, mark, path, message));

    public static string Join(string path, string key) => path.Length == 0 ? key : path + "." + key;

    /// <summary>A non-empty scalar, or an error naming what was expected instead.</summary>
    public YScalar? Scalar(YNode node, string path, string expected)
    {
        if (node is YScalar s && !s.IsNull)
        {
            return s;
        }

        Error(node.Start, path, $"expected {expected}, found {node.Describe()}");
        return null;
    }

    public string? Text(YNode node, string path) => Scalar(node, path, "a text value")?.Value;

    public int? Int(YNode node, string path) =>
        Convert<int>(node, path, "a whole number", TryParseInt, v => $"expected a whole number, found '{v}'");

    public double? Double(YNode node, string path) =>
        Convert<double>(node, path, "a number", TryParseDouble, v => $"expected a number, found '{v}'");

    public bool? Bool(YNode node, string path) =>
        Convert<bool>(node, path, "true or false", bool.TryParse, v => $"expected true or false, found '{v}'");

    public TimeSpan? Duration(YNode node, string path) =>
        Convert<TimeSpan>(node, path, $"a duration ({ConfigValueText.DurationHint})", ConfigValueText.TryParseDuration,
            v => $"'{v}' is not a duration; write {ConfigValueText.DurationHint}");

    public long? Size(YNode node, string path) =>
        Convert<long>(node, path, $"a size ({ConfigValueText.SizeHint})", ConfigValueText.TryParseSize,
            v => $"'{v}' is not a size; write {ConfigValueText.SizeHint}");

    public T? Enum<T>(YNode node, string path)
        where T : struct, Enum =>
        Convert<T>(node, path, "one of " + ConfigNames.Expected<T>(), ConfigNames.TryParse,
            v => $"unknown value '{v}'; expected {ConfigNames.Expected<T>()}{Suggest.DidYouMean(v, ConfigNames.Names<T>())}");

    private delegate bool TryParser<T>(string text, out T value);

    private T? Convert<T>(YNode node, string path, string expected, TryParser<T> tryParse, Func<string, string> complaint)
        where T : struct
    {
        if (Scalar(node, path, expected) is not { } s)
        {
            return null;
        }

        if (tryParse(s.Value.Trim(), out var value))
        {
            return value;
        }

        Error(s.Start, path, complaint(s.Value));
        return null;
    }

    // Decimal, or hexadecimal with 0x (I2C addresses are written 0x40).
    private static bool TryParseInt(string text, out int value) =>
        text.StartsWith("0x", StringComparison.OrdinalIgnoreCase)
            ? int.TryParse(text.AsSpan(2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out value)
            : int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out value);

    private static bool TryParseDouble(string text, out double value) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out value) && double.IsFinite(value);

    public YMapping? Mapping(YNode node, string path)
    {
        if (node is YMapping m)
        {
            return m;
        }

        Error(node.Start, path, $"expected a mapping (key: value lines or {{ key: value }}), found {node.Describe()}");
        return null;
    }

    public YSequence? Sequence(YNode node, string path)
    {
        if (node is YSequence s)
        {
            return s;
        }

        Error(node.Start, path, $"expected a list (- item lines or [ a, b ]), found {node.Describe()}");
        return null;
    }
}

/// <summary>
/// Reads one mapping into a <see cref="Located"/> model object: each key the model knows is asked for
/// by name (recording its position); <see cref="Done"/> then reports every key nobody asked for.
/// </summary>
internal sealed class MapReader
{
    private readonly LoadContext _ctx;
    private readonly Located _target;
    private readonly List<(string Key, YNode KeyNode, YNode Value)> _entries = [];
    private readonly HashSet<string> _known = new(StringComparer.Ordinal);
    private readonly List<string> _missing = [];

    private MapReader(LoadContext ctx, YMapping map, string path, Located target)
    {
        _ctx = ctx;
        _target = target;
        Path = path;
        Map = map;
        target.Mark = map.Start;
        var seen = new Dictionary<string, SourceMark>(StringComparer.Ordinal);
        foreach (var (keyNode, value) in map.Entries)
        {
            if (keyNode is not YScalar { IsNull: false } k)
            {
                ctx.Error(keyNode.Start, path, $"a key must be a plain name, found {keyNode.Describe()}");
                continue;
            }

            if (seen.TryGetValue(k.Value, out var first))
            {
                ctx.Error(k.Start, LoadContext.Join(path, k.Value), $"duplicate key (first given at line {first.Line})");
                continue;
            }

            seen.Add(k.Value, k.Start);
            _entries.Add((k.Value, k, value));
        }
    }

    public string Path { get; }

    public YMapping Map { get; }

    /// <summary>Opens <paramref name="node"/> as a mapping; null (and an error) if it is not one.</summary>
    public static MapReader? Open(LoadContext ctx, YNode node, string path, Located target)
    {
        target.Mark = node.Start;
        return ctx.Mapping(node, path) is { } map ? new MapReader(ctx, map, path, target) : null;
    }

    public string PathOf(string key) => LoadContext.Join(Path, key);

    public YNode? Get(string key, bool required = false)
    {
        _known.Add(key);
        foreach (var (k, _, value) in _entries)
        {
            if (k == key)
            {
                _target.SetMark(key, value.Start);
                return value;
            }
        }

        if (required)
        {
            _missing.Add(key);
        }

        return null;
    }

    public string? Text(string key, bool required = false) => Child(key, _ctx.Text, required);

    public int? Int(string key, bool required = false) => Read(key, required, _ctx.Int);

    public double? Double(string key, bool required = false) => Read(key, required, _ctx.Double);

    public bool? Bool(string key, bool required = false) => Read(key, required, _ctx.Bool);

    public TimeSpan? Duration(string key, bool required = false) => Read(key, required, _ctx.Duration);

    public long? Size(string key, bool required = false) => Read(key, required, _ctx.Size);

    public T? Enum<T>(string key, bool required = false)
        where T : struct, Enum => Read(key, required, _ctx.Enum<T>);

    /// <summary>A nested mapping (or any node the reader understands), read by <paramref name="read"/>.</summary>
    public T? Child<T>(string key, Func<YNode, string, T?> read, bool required = false)
        where T : class
    {
        var v = Get(key, required) is { } node ? read(node, PathOf(key)) : null;
        if (v is null && _target.Has(key))
        {
            _target.MarkInvalid(key);
        }

        return v;
    }

    /// <summary>A list whose items <paramref name="read"/> turns into model objects; unreadable items are left out.</summary>
    public List<T>? List<T>(string key, Func<YNode, string, T?> read, bool required = false)
        where T : class
    {
        if (Get(key, required) is not { } node)
        {
            return null;
        }

        if (_ctx.Sequence(node, PathOf(key)) is not { } seq)
        {
            _target.MarkInvalid(key);
            return null;
        }

        var list = new List<T>(seq.Items.Count);
        for (var i = 0; i < seq.Items.Count; i++)
        {
            if (read(seq.Items[i], $"{PathOf(key)}[{i}]") is { } item)
            {
                list.Add(item);
            }
        }

        return list;
    }

    /// <summary>Every entry, for mappings whose keys are ids (thresholds, messages): all count as known.</summary>
    public IEnumerable<(string Key, YNode KeyNode, YNode Value)> Entries()
    {
        foreach (var e in _entries)
        {
            _known.Add(e.Key);
            yield return e;
        }
    }

    /// <summary>
    /// Reports every key no one asked for, suggesting the nearest known key, then every required key
    /// that is missing. A misspelt key stands for the key it resembles: that key counts as given (but
    /// unreadable), so "pol: 5s" is one error, not also "poll is missing".
    /// </summary>
    public void Done()
    {
        foreach (var (key, keyNode, _) in _entries)
        {
            if (_known.Contains(key))
            {
                continue;
            }

            var near = Suggest.Nearest(key, _known.Where(k => !_target.Has(k)));
            _ctx.Error(keyNode.Start, PathOf(key), "unknown key" + (near is null ? "" : $"; did you mean '{near}'?"));
            if (near is not null)
            {
                _target.SetMark(near, keyNode.Start);
                _target.MarkInvalid(near);
            }
        }

        foreach (var key in _missing.Where(k => !_target.Has(k)))
        {
            _ctx.Error(Map.Start, PathOf(key), "required key is missing");
        }
    }

    private T? Read<T>(string key, bool required, Func<YNode, string, T?> convert)
        where T : struct
    {
        var v = Get(key, required) is { } node ? convert(node, PathOf(key)) : null;
        if (v is null && _target.Has(key))
        {
            _target.MarkInvalid(key);
        }

        return v;
    }
}
