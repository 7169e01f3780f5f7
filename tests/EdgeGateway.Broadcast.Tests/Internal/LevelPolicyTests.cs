using EdgeGateway.Broadcast.Internal;
using EdgeGateway.Core.Alerting;

namespace EdgeGateway.Broadcast.Tests.Internal;

public sealed class LevelPolicyTests
{
    private static readonly DateTimeOffset Now = new(2026, 6, 1, 3, 0, 0, TimeSpan.Zero);

    private static LevelPolicy Policy(bool allClear = true)
    {
        var options = new BroadcastOptions
        {
            AllClear = allClear ? new BroadcastCue("all-clear") : null,
            Levels = Levels,
        };
        return new LevelPolicy(options);
    }

    private static readonly AlertLevels Levels = new(
    [
        new AlertLevel("watch"),
        new AlertLevel("prepare") { Broadcast = new BroadcastCue("prepare", 2) },
        new AlertLevel("evacuate") { Broadcast = new BroadcastCue("evacuate", 3) },
    ]);

    private static AlertLevel L(string id) => Levels.Get(id);

    [Theory]
    [InlineData("none", 0)]
    [InlineData("watch", 1)]
    [InlineData("evacuate", 3)]
    public void InForce_LevelOfTheList_IsItselfRankedLowestFirstNoneBelow(string level, int expected)
    {
        var inForce = Policy().InForce(L(level));

        Assert.Equal((level, expected), (inForce.Id, inForce.Rank));
    }

    [Fact]
    public void InForce_LevelOfAnotherList_Throws()
    {
        Assert.Throws<ArgumentException>(() => Policy().InForce(new AlertLevel("flood") { Rank = 1 }));
        Assert.Throws<ArgumentException>(() => Policy().InForce(new AlertLevel("flood") { Rank = 9 }));
    }

    [Fact]
    public void InForce_ReloadedCue_IsTheOneInForce()
    {
        var reloaded = new BroadcastOptions { Levels = new AlertLevels([new AlertLevel("watch"), new AlertLevel("prepare") { Broadcast = new BroadcastCue("prepare", 9) }]) };

        Assert.Equal(9, new LevelPolicy(reloaded).InForce(L("prepare")).Broadcast!.Repeat);
    }

    [Fact]
    public void Owed_RiseToLevelWithBroadcast_OwesItRankedByLevel()
    {
        var owed = Policy().Owed(L("watch"), L("evacuate"), allClear: true, Now);

        Assert.Equal(new WarningObligation("level:evacuate", "evacuate", 3, 3, Now), owed);
    }

    [Theory]
    [InlineData("none", "watch", true)]
    [InlineData("evacuate", "prepare", true)]
    [InlineData("prepare", "none", false)]
    [InlineData("none", "none", true)]
    public void Owed_ReportOnlyLevelStepDownForcedClearOrNoChange_OwesNothing(string from, string to, bool allClear) =>
        Assert.Null(Policy().Owed(L(from), L(to), allClear, Now));

    [Fact]
    public void Owed_ReturnToNone_OwesTheAllClearLowest()
    {
        Assert.Equal(new WarningObligation(WarningObligation.AllClearKey, "all-clear", 1, 0, Now), Policy().Owed(L("prepare"), L("none"), allClear: true, Now));
        Assert.Null(Policy(allClear: false).Owed(L("prepare"), L("none"), allClear: true, Now));
    }

    [Fact]
    public void RiseRequest_MatchesWhatIsOwed()
    {
        var policy = Policy();
        var owed = policy.Owed(L("none"), L("prepare"), allClear: true, Now)!;

        var request = LevelPolicy.RiseRequest(L("prepare"), BroadcastOrigin.Manual)!;

        Assert.Equal((owed.Key, owed.Message, owed.Repeat, owed.Rank), (request.Key, request.Message, request.Repeat, request.Rank));
        Assert.Equal(BroadcastOrigin.Manual, request.Origin);
        Assert.True(LevelPolicy.IsLevelBroadcast(request));
        Assert.Null(LevelPolicy.RiseRequest(L("watch"), BroadcastOrigin.Automatic));
        Assert.False(LevelPolicy.IsLevelBroadcast(LevelPolicy.AllClearRequest(policy.AllClear!)));
    }
}
