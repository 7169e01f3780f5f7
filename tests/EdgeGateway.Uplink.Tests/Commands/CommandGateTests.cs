using System.Security.Cryptography;
using EdgeGateway.Uplink.Commands;
using Microsoft.Extensions.Time.Testing;

namespace EdgeGateway.Uplink.Tests.Commands;

public sealed class CommandGateTests : IDisposable
{
    private static readonly DateTimeOffset Build = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset Now = new(2026, 7, 1, 3, 0, 0, TimeSpan.Zero);
    private readonly TempDirectory _dir = new();
    private readonly Keys _keys = new();
    private readonly FakeTimeProvider _time = new(Now);

    private CommandGate Open() => new(_dir.File("commands.db"), "wz-oh-lilong-01", _keys.HubPublic(), _time, Build);

    [Fact]
    public void Verify_ValidBroadcast_AcceptsWithValidatedArgs()
    {
        using var gate = Open();
        var v = gate.Verify(_keys.Sign(Now, args: """{"message":"evacuate","repeat":3,"exercise":true}"""), retained: false);
        Assert.True(v.Accepted, v.Error);
        var b = Assert.IsType<BroadcastCommand>(v.Command);
        Assert.Equal("evacuate", b.Message);
        Assert.Equal(3, b.Repeat);
        Assert.True(b.Exercise);
        Assert.False(v.ClockImplausible);
    }

    [Fact]
    public void Verify_SignedByAnotherKey_RefusesBadSignature()
    {
        using var gate = Open();
        var v = gate.Verify(_keys.Sign(Now, key: _keys.Other), retained: false);
        Assert.Equal("bad-signature", v.Error);
        Assert.NotNull(v.Jti);
    }

    [Fact]
    public void Verify_ClaimsTamperedAfterSigning_RefusesBadSignature()
    {
        using var gate = Open();
        var parts = _keys.Sign(Now, aud: "other-station").Split('.');
        var forged = Keys.Unsigned("{\"alg\":\"ES256\"}", $$"""{"jti":"x","aud":"*","iat":{{Now.ToUnixTimeSeconds()}},"exp":{{Now.ToUnixTimeSeconds() + 60}},"cmd":"stop"}""").Split('.');
        Assert.Equal("bad-signature", gate.Verify($"{parts[0]}.{forged[1]}.{parts[2]}", false).Error);
    }

    [Theory]
    [InlineData("{\"alg\":\"none\"}")]
    [InlineData("{\"alg\":\"HS256\"}")]
    [InlineData("{\"alg\":\"ES384\"}")]
    [InlineData("{\"typ\":\"JWT\"}")]
    public void Verify_AlgOtherThanEs256_Refuses(string header)
    {
        using var gate = Open();
        var token = Keys.Unsigned(header, $$"""{"jti":"a1","aud":"*","iat":{{Now.ToUnixTimeSeconds()}},"exp":{{Now.ToUnixTimeSeconds() + 60}},"cmd":"stop"}""");
        var v = gate.Verify(token, false);
        Assert.False(v.Accepted);
        Assert.Equal("alg-not-allowed", v.Error);
        Assert.Equal("a1", v.Jti);
    }

    [Fact]
    public void Verify_OtherStationAudience_Refuses()
    {
        using var gate = Open();
        Assert.Equal("wrong-audience", gate.Verify(_keys.Sign(Now, aud: "wz-oh-other-02"), false).Error);
        Assert.True(gate.Verify(_keys.Sign(Now, aud: "wz-oh-lilong-01"), false).Accepted);
    }

    [Fact]
    public void Verify_Expired_Refuses()
    {
        using var gate = Open();
        Assert.Equal("expired", gate.Verify(_keys.Sign(Now.AddMinutes(-10)), false).Error);
    }

    [Fact]
    public void Verify_IssuedMoreThanFiveMinutesAhead_Refuses()
    {
        using var gate = Open();
        Assert.Equal("iat-in-future", gate.Verify(_keys.Sign(Now.AddMinutes(6)), false).Error);
        Assert.True(gate.Verify(_keys.Sign(Now.AddMinutes(4)), false).Accepted);
    }

    [Fact]
    public void Verify_LifetimeOverOneHour_Refuses()
    {
        using var gate = Open();
        Assert.Equal("lifetime-too-long", gate.Verify(_keys.Sign(Now, ttl: TimeSpan.FromMinutes(61)), false).Error);
    }

    [Fact]
    public void Verify_SameJtiTwice_RefusesReplayEvenAfterRestart()
    {
        var token = _keys.Sign(Now);
        using (var gate = Open())
        {
            Assert.True(gate.Verify(token, false).Accepted);
            Assert.Equal("replayed", gate.Verify(token, false).Error);
        }

        using var reopened = Open();
        Assert.Equal("replayed", reopened.Verify(token, false).Error);
    }

    [Fact]
    public void Verify_Retained_RefusesEvenWhenValid()
    {
        using var gate = Open();
        var token = _keys.Sign(Now);
        Assert.Equal("retained", gate.Verify(token, retained: true).Error);
        Assert.True(gate.Verify(token, false).Accepted);
    }

    [Theory]
    [InlineData("reboot", null, "unknown-command")]
    [InlineData("broadcast", """{"message":"a","text":"b"}""", "bad-args")]
    [InlineData("broadcast", """{}""", "bad-args")]
    [InlineData("broadcast", """{"message":"a","volume":3}""", "bad-args")]
    [InlineData("broadcast", """{"message":"a","repeat":"3"}""", "bad-args")]
    [InlineData("broadcast", """{"message":"a","voice":"cmn"}""", "bad-args")]
    [InlineData("test", """{"silent":"yes"}""", "bad-args")]
    [InlineData("clear", """{"rule":5}""", "bad-args")]
    [InlineData("stop", """{"now":true}""", "bad-args")]
    public void Verify_UnknownCommandOrBadArgs_Refuses(string cmd, string? args, string error)
    {
        using var gate = Open();
        var v = gate.Verify(_keys.Sign(Now, cmd, args), false);
        Assert.False(v.Accepted);
        Assert.StartsWith(error, v.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("stop", null)]
    [InlineData("status", null)]
    [InlineData("test", """{"silent":true}""")]
    [InlineData("clear", """{"rule":"manual"}""")]
    [InlineData("broadcast", """{"text":"洪水预警","voice":"cmn","priority":5}""")]
    public void Verify_EachKnownCommand_Accepts(string cmd, string? args)
    {
        using var gate = Open();
        Assert.True(gate.Verify(_keys.Sign(Now, cmd, args), false).Accepted);
    }

    [Theory]
    [InlineData("")]
    [InlineData("a.b")]
    [InlineData("!!!.???.***")]
    public void Verify_Garbage_RefusesMalformed(string token)
    {
        using var gate = Open();
        Assert.Equal("malformed-token", gate.Verify(token, false).Error);
    }

    [Fact]
    public void Verify_ClockAt1970_AcceptsFreshSignedCommandAndRefusesReplayAndOlderIat()
    {
        // Normal life: the station accepts a command at a plausible time and persists that time.
        var first = _keys.Sign(Now);
        using (var gate = Open())
        {
            Assert.True(gate.Verify(first, false).Accepted);
        }

        // Power cut, no RTC, no network: it boots believing it is 1970.
        _time.AdjustTime(DateTimeOffset.UnixEpoch.AddSeconds(42));
        using var booted = Open();
        Assert.False(booted.IsClockPlausible(_time.GetUtcNow()));

        // A fresh broadcast signed an hour later is obeyed although "now" is long before its iat.
        var fresh = _keys.Sign(Now.AddHours(1));
        var v = booted.Verify(fresh, false);
        Assert.True(v.Accepted, v.Error);
        Assert.True(v.ClockImplausible);

        // Replaying it (or the earlier one) is refused; so is a valid but older command never seen before.
        Assert.Equal("replayed", booted.Verify(fresh, false).Error);
        Assert.Equal("replayed", booted.Verify(first, false).Error);
        var older = booted.Verify(_keys.Sign(Now.AddMinutes(30)), false);
        Assert.Equal("older-than-accepted", older.Error);
        Assert.True(older.ClockImplausible);

        // Signature, audience and args are still checked on an implausible clock.
        Assert.Equal("bad-signature", booted.Verify(_keys.Sign(Now.AddHours(2), key: _keys.Other), false).Error);
        Assert.Equal("wrong-audience", booted.Verify(_keys.Sign(Now.AddHours(2), aud: "x-y-z"), false).Error);
    }

    [Fact]
    public void IsClockPlausible_BeforeBuildTimeOrBehindPersistedTime_IsFalse()
    {
        using (var gate = Open())
        {
            Assert.True(gate.IsClockPlausible(Now));
            Assert.False(gate.IsClockPlausible(Build.AddDays(-1)));
            gate.PersistClock(clockTrusted: true);
        }

        using var reopened = Open();
        Assert.False(reopened.IsClockPlausible(Now.AddDays(-1)));
        Assert.True(reopened.IsClockPlausible(Now.AddSeconds(1)));
    }

    [Fact]
    public void PersistClock_WildClockNotNtpSynced_FloorStaysAndExpiredCommandRefusedOnceCorrected()
    {
        using (var gate = Open())
        {
            Assert.True(gate.Verify(_keys.Sign(Now), false).Accepted);

            // A bad RTC (or one wild reading) says 2100; the kernel does not vouch for it.
            _time.AdjustTime(new DateTimeOffset(2100, 1, 1, 0, 0, 0, TimeSpan.Zero));
            gate.PersistClock(clockTrusted: false);
            Assert.Equal(Now, gate.LatestPersisted);
        }

        // The clock is put right (and the station restarted): time checks still apply.
        _time.AdjustTime(Now.AddMinutes(10));
        using var corrected = Open();
        Assert.True(corrected.IsClockPlausible(_time.GetUtcNow()));
        var stale = corrected.Verify(_keys.Sign(Now.AddDays(-30)), false);
        Assert.Equal("expired", stale.Error);
        Assert.False(stale.ClockImplausible);
    }

    [Fact]
    public void PersistClock_NtpSynced_MovesTheFloor()
    {
        using var gate = Open();
        _time.Advance(TimeSpan.FromHours(2));
        gate.PersistClock(clockTrusted: true);
        Assert.Equal(Now.AddHours(2), gate.LatestPersisted);
    }

    [Fact]
    public void Verify_Accepted_MovesTheFloorToItsIatNeverPastTheLocalClock()
    {
        using var gate = Open();
        Assert.True(gate.Verify(_keys.Sign(Now.AddMinutes(-1)), false).Accepted);
        Assert.Equal(Now.AddMinutes(-1), gate.LatestPersisted);

        // An iat inside the allowed skew ahead: the floor stops at the local clock, which stays plausible.
        Assert.True(gate.Verify(_keys.Sign(Now.AddMinutes(3)), false).Accepted);
        Assert.Equal(Now, gate.LatestPersisted);
        Assert.True(gate.IsClockPlausible(Now));
    }

    [Fact]
    public void Verify_ClearWithForce_ParsedAndWrongTypeRefused()
    {
        using var gate = Open();
        var forced = Assert.IsType<ClearCommand>(gate.Verify(_keys.Sign(Now, cmd: "clear", args: """{"rule":"river","force":true}"""), false).Command);
        Assert.True(forced.Force);
        Assert.Equal("river", forced.Rule);
        Assert.False(Assert.IsType<ClearCommand>(gate.Verify(_keys.Sign(Now, cmd: "clear", args: "{}"), false).Command).Force);
        Assert.StartsWith("bad-args", gate.Verify(_keys.Sign(Now, cmd: "clear", args: """{"force":"yes"}"""), false).Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("secp256k1")]
    [InlineData("brainpoolP256r1")]
    public void CommandKeys_Other256BitCurve_Refused(string curve)
    {
        using var key = ECDsa.Create(ECCurve.CreateFromFriendlyName(curve));
        using var pub = ECDsa.Create();
        pub.ImportFromPem(key.ExportSubjectPublicKeyInfoPem());
        Assert.Equal(256, pub.KeySize);
        Assert.Contains("not NIST P-256", CommandKeys.Problem(pub), StringComparison.Ordinal);
        using var hub = _keys.HubPublic();
        Assert.Null(CommandKeys.Problem(hub));
    }

    [Fact]
    public void UnverifiedJti_NamesTheClaimedJtiOrNull()
    {
        Assert.Equal("j-1", CommandToken.UnverifiedJti(_keys.Sign(Now, jti: "j-1")));
        Assert.Null(CommandToken.UnverifiedJti("not a token"));
        Assert.Null(CommandToken.UnverifiedJti("a.%%%.c"));
    }

    public void Dispose()
    {
        _keys.Dispose();
        _dir.Dispose();
    }
}
