using EdgeGateway.Broadcast.Internal;
using EdgeGateway.Core.Alerting;

namespace EdgeGateway.Broadcast.Tests.Internal;

public sealed class LevelPolicyTests
{
    private static readonly DateTimeOffset Now = new(2026, 6, 1, 3, 0, 0, TimeSpan.Zero);

    private static LevelPolicy Policy(bool allClear = true)
    {
        var options = new BroadcastOptions { AllClear = allClear ? new BroadcastCue("all-clear") : null };
        options.Levels.Add(new LevelBroadcast("watch"));
        options.Levels.Add(new LevelBroadcast("prepare", new BroadcastCue("prepare", 2)));
        options.Levels.Add(new LevelBroadcast("evacuate", new BroadcastCue("evacuate", 3)));
        return new LevelPolicy(options);
    }

    [Theory]
    [InlineData("none", -1)]
    [InlineData("watch", 0)]
    [InlineData("evacuate", 2)]
    public void IndexOf_KnownLevel_LowestFirstNoneBelow(string level, int expected) =>
        Assert.Equal(expected, Policy().IndexOf(level));

    [Fact]
    public void IndexOf_UnknownLevel_Throws() =>
        Assert.Throws<ArgumentException>(() => Policy().IndexOf("flood"));

    [Fact]
    public void Owed_RiseToLevelWithBroadcast_OwesItRankedByLevel()
    {
        var owed = Policy().Owed("watch", "evacuate", allClear: true, Now);

        Assert.Equal(new WarningObligation("level:evacuate", "evacuate", 3, 3, Now), owed);
    }

    [Theory]
    [InlineData("none", "watch", true)]
    [InlineData("evacuate", "prepare", true)]
    [InlineData("prepare", "none", false)]
    [InlineData("none", "none", true)]
    public void Owed_ReportOnlyLevelStepDownForcedClearOrNoChange_OwesNothing(string from, string to, bool allClear) =>
        Assert.Null(Policy().Owed(from, to, allClear, Now));

    [Fact]
    public void Owed_ReturnToNone_OwesTheAllClearLowest()
    {
        Assert.Equal(new WarningObligation(WarningObligation.AllClearKey, "all-clear", 1, 0, Now), Policy().Owed("prepare", "none", allClear: true, Now));
        Assert.Null(Policy(allClear: false).Owed("prepare", "none", allClear: true, Now));
    }

    [Fact]
    public void RiseRequest_MatchesWhatIsOwed()
    {
        var policy = Policy();
        var owed = policy.Owed("none", "prepare", allClear: true, Now)!;

        var request = policy.RiseRequest(policy.IndexOf("prepare"), "prepare", BroadcastOrigin.Manual)!;

        Assert.Equal((owed.Key, owed.Message, owed.Repeat, owed.Rank), (request.Key, request.Message, request.Repeat, request.Rank));
        Assert.Equal(BroadcastOrigin.Manual, request.Origin);
        Assert.True(LevelPolicy.IsLevelBroadcast(request));
        Assert.Null(policy.RiseRequest(policy.IndexOf("watch"), "watch", BroadcastOrigin.Automatic));
        Assert.False(LevelPolicy.IsLevelBroadcast(LevelPolicy.AllClearRequest(policy.AllClear!)));
    }
}
