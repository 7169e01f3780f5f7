namespace EdgeGateway.Core.Rules;

/// <summary>
/// The station's alert levels, lowest first, with "none" implicit at index 0 below the first.
/// A level index compares as severity: a higher index is a more serious level.
/// </summary>
public sealed class LevelSet
{
    private readonly string[] _ids;
    private readonly Dictionary<string, int> _index;

    public LevelSet(IEnumerable<string> levelIds)
    {
        ArgumentNullException.ThrowIfNull(levelIds);
        var ids = new List<string> { Alerting.LevelTransition.None };
        _index = new Dictionary<string, int>(StringComparer.Ordinal) { [Alerting.LevelTransition.None] = 0 };
        foreach (var id in levelIds)
        {
            if (string.IsNullOrEmpty(id))
            {
                throw new ArgumentException("a level id is empty", nameof(levelIds));
            }

            if (!_index.TryAdd(id, ids.Count))
            {
                throw new ArgumentException($"level '{id}' is listed twice (or is the reserved 'none')", nameof(levelIds));
            }

            ids.Add(id);
        }

        _ids = [.. ids];
    }

    /// <summary>Number of levels including "none".</summary>
    public int Count => _ids.Length;

    /// <summary>The highest level index.</summary>
    public int Highest => _ids.Length - 1;

    public string this[int index] => _ids[index];

    public bool TryGetIndex(string levelId, out int index) => _index.TryGetValue(levelId, out index);

    public int IndexOf(string levelId) =>
        _index.TryGetValue(levelId, out var index)
            ? index
            : throw new ArgumentException($"unknown level '{levelId}'", nameof(levelId));
}
