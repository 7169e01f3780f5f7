namespace EdgeGateway.Tests.TestSupport;

/// <summary>The shipped example station.yaml, and copies of it with mistakes planted.</summary>
internal static class ExampleConfig
{
    public static string Path { get; } = System.IO.Path.Combine(AppContext.BaseDirectory, "Configuration", "station.example.yaml");

    public static string Text { get; } = File.ReadAllText(Path);

    /// <summary>The example with each <c>find</c> (which must occur) replaced, first occurrence only.</summary>
    public static string With(params (string Find, string Replace)[] edits)
    {
        var text = Text;
        foreach (var (find, replace) in edits)
        {
            var at = text.IndexOf(find, StringComparison.Ordinal);
            Assert.True(at >= 0, $"the example has no '{find}'");
            text = string.Concat(text.AsSpan(0, at), replace, text.AsSpan(at + find.Length));
        }

        return text;
    }

    /// <summary>The example with <paramref name="edits"/> applied, loaded; the result must be valid.</summary>
    public static EdgeGateway.Configuration.StationConfig Valid(params (string Find, string Replace)[] edits)
    {
        var loaded = EdgeGateway.Configuration.StationConfigLoader.Parse(With(edits), "station.yaml");
        Assert.True(loaded.IsValid, string.Join("\n", loaded.Errors));
        return loaded.Config!;
    }
}
