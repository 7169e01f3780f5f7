namespace EdgeGateway.Configuration.Internal;

/// <summary>"Did you mean" for misspelt keys and values.</summary>
internal static class Suggest
{
    /// <summary>The candidate closest to <paramref name="typed"/>, if it is close enough to be a typo.</summary>
    public static string? Nearest(string typed, IEnumerable<string> candidates)
    {
        var t = Normalize(typed);
        string? best = null;
        var bestDistance = int.MaxValue;
        foreach (var candidate in candidates)
        {
            var d = Distance(t, Normalize(candidate));
            if (d < bestDistance)
            {
                best = candidate;
                bestDistance = d;
            }
        }

        // One edit in a short word, up to a third of a long one (queLimit, clear_after, pol, slve).
        var allowed = Math.Max(1, Math.Min(3, t.Length / 3));
        return best is not null && bestDistance <= allowed ? best : null;
    }

    public static string DidYouMean(string typed, IEnumerable<string> candidates) =>
        Nearest(typed, candidates) is { } near ? $"; did you mean '{near}'?" : "";

    // Case, '-' and '_' differences count as nothing: clear_after, clear-after and clearafter mean clearAfter.
    private static string Normalize(string s) =>
        new(s.Where(c => c is not ('-' or '_')).Select(char.ToLowerInvariant).ToArray());

    // Edit distance where swapping two neighbours is one slip (plya, stauts), as typing goes wrong.
    private static int Distance(string a, string b)
    {
        var d = new int[a.Length + 1, b.Length + 1];
        for (var i = 0; i <= a.Length; i++)
        {
            d[i, 0] = i;
        }

        for (var j = 0; j <= b.Length; j++)
        {
            d[0, j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + cost);
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                {
                    d[i, j] = Math.Min(d[i, j], d[i - 2, j - 2] + 1);
                }
            }
        }

        return d[a.Length, b.Length];
    }
}
