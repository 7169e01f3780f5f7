namespace EdgeGateway.Broadcast;

/// <summary>Who asked for a broadcast; decides its <see cref="BroadcastClass"/>.</summary>
public enum BroadcastOrigin
{
    /// <summary>A station level change from the rules.</summary>
    Automatic,

    /// <summary>The local manual alarm button.</summary>
    Manual,

    /// <summary>A signed hub command.</summary>
    Hub,

    /// <summary>A technician on the station's CLI (<c>edgegw broadcast play|say</c>).</summary>
    Operator,

    /// <summary>The audible test on demand or the scheduled silent self-test.</summary>
    Test,
}

/// <summary>
/// Priority classes, lowest first: a test never interrupts anything; automatic level broadcasts outrank
/// tests and each other by level; people (hub, manual button, technician) outrank the automatic ones.
/// </summary>
public enum BroadcastClass
{
    Test = 0,
    Automatic = 1,
    Operator = 2,
}

/// <summary>Class first, then rank inside the class (the level index for automatic broadcasts).</summary>
public readonly record struct BroadcastPriority(BroadcastClass Class, int Rank) : IComparable<BroadcastPriority>
{
    public static bool operator >(BroadcastPriority left, BroadcastPriority right) => left.CompareTo(right) > 0;

    public static bool operator <(BroadcastPriority left, BroadcastPriority right) => left.CompareTo(right) < 0;

    public static bool operator >=(BroadcastPriority left, BroadcastPriority right) => left.CompareTo(right) >= 0;

    public static bool operator <=(BroadcastPriority left, BroadcastPriority right) => left.CompareTo(right) <= 0;

    public int CompareTo(BroadcastPriority other) => Class != other.Class ? Class.CompareTo(other.Class) : Rank.CompareTo(other.Rank);

    public override string ToString() => $"{Class.ToString().ToLowerInvariant()}/{Rank}";
}

/// <summary>
/// One thing to broadcast: a configured <see cref="Message"/>, or <see cref="Text"/> to speak.
/// <see cref="Key"/> identifies requests that must not run twice at once (a level's broadcast raised
/// again while it still plays or waits is ignored).
/// </summary>
public sealed record BroadcastRequest
{
    public const int MaxRepeat = 100;

    public Guid Id { get; init; } = Guid.NewGuid();

    public string? Message { get; init; }

    public string? Text { get; init; }

    public string? Voice { get; init; }

    public int Repeat { get; init; } = 1;

    public BroadcastOrigin Origin { get; init; } = BroadcastOrigin.Operator;

    /// <summary>Order inside the class; higher wins.</summary>
    public int Rank { get; init; }

    public string? Key { get; init; }

    /// <summary>For <see cref="BroadcastOrigin.Test"/>: the silent self-test (nothing reaches the speakers).</summary>
    public bool Silent { get; init; }

    public BroadcastPriority Priority => new(ClassOf(Origin), Rank);

    /// <summary>A short name for logs and events: the message id, or "say".</summary>
    public string Label => Message ?? "say";

    public static BroadcastClass ClassOf(BroadcastOrigin origin) => origin switch
    {
        BroadcastOrigin.Test => BroadcastClass.Test,
        BroadcastOrigin.Automatic => BroadcastClass.Automatic,
        _ => BroadcastClass.Operator,
    };

    public static BroadcastRequest ForMessage(string message, int repeat = 1, BroadcastOrigin origin = BroadcastOrigin.Operator) =>
        new() { Message = message, Repeat = repeat, Origin = origin };

    public static BroadcastRequest ForText(string text, string? voice = null, int repeat = 1, BroadcastOrigin origin = BroadcastOrigin.Operator) =>
        new() { Text = text, Voice = voice, Repeat = repeat, Origin = origin };

    /// <summary>
    /// A test: <paramref name="silent"/> exercises relays and the audio path with nothing reaching the speakers;
    /// otherwise the test message (which says it is a test) plays once. Tests rank lowest.
    /// </summary>
    public static BroadcastRequest TestOf(bool silent) => new()
    {
        Message = BroadcastOptions.TestMessage,
        Origin = BroadcastOrigin.Test,
        Silent = silent,
        Key = silent ? "self-test" : "test",
    };

    /// <summary>Why the request cannot be queued, or null.</summary>
    public string? Problem() => (Message, Text) switch
    {
        (null, null) => "a broadcast needs a message or a text",
        (not null, not null) => "a broadcast has a message or a text, not both",
        _ when Repeat is < 1 or > MaxRepeat => $"repeat must be 1-{MaxRepeat}",
        _ => null,
    };
}
