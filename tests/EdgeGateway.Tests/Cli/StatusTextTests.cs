using System.Text.Json.Nodes;
using EdgeGateway.Cli;

namespace EdgeGateway.Tests.Cli;

/// <summary>The status text for states a bench does not reach in seconds: long names, three levels, a long clearAfter.</summary>
public sealed class StatusTextTests
{
    [Fact]
    public void Describe_ThreeLevelsAndAHalfHourClearAfter_FitsEightyColumnsWithThresholdsOnTheirOwnLine()
    {
        var status = JsonNode.Parse("""
            {"station":"wz-oh-lilong-01","version":"0.1.0+4b748ceaa9666d66c8beb26dc592b2ae21235cd7",
             "config":{"hash":"5677af76a65c9d0e","rejected":{"time":"2026-07-01T03:00:00Z","errors":[
               "/etc/edge-gateway/station.yaml:41:22: alerting.rules[0].clearAfter: '30 m' is not a duration (write 250ms, 30s, 5m, 1h or 1d)"]}},
             "stationLevel":"prepare",
             "rules":[{"id":"rain-1h","sensor":"rain-gauge","level":"prepare","measure":12.4,
               "thresholds":{"watch":20,"prepare":30,"evacuate":50},"latched":false,"rising":null,
               "falling":{"to":"none","remainingSeconds":1745},"sensorFaulty":false}],
             "sensors":[{"id":"rain-gauge","kind":"rain-pulse","value":0.2,"unit":"mm","quality":"good","ageSeconds":12.3,"tips":62},
               {"id":"river-level","kind":"water-level","value":null,"unit":"m","quality":"comm-fault","ageSeconds":0.4,
                "fault":"slave 1 on bus rs485: no answer within 300 ms (3 tries); slave 1 skipped, next try in 16 s"}],
             "broadcast":{"phase":"playing","current":"evacuate","queued":0,"sink":"alsa:default","problems":[],"lastSelfTest":null},
             "health":{"uptimeSeconds":93784,"diskFreeBytes":22870000000,"diskTotalBytes":30700000000,"memAvailableBytes":3300000000,
               "clockSynchronized":true,"throttledFlags":"0x50005","underVoltage":true}}
            """);

        var text = StatusCommands.Describe(status);
        var lines = text.Split('\n');

        Assert.All(lines, l => Assert.True(l.Length <= StatusCommands.Columns, $"{l.Length} columns: {l}"));
        Assert.Equal("station wz-oh-lilong-01  edgegw 0.1.0+4b748ce  up 1d 02:03:04", lines[0]);
        Assert.Contains("  rule   rain-1h        prepare   12.4 mm", lines);
        Assert.Contains("       thresholds: watch 20 mm, prepare 30 mm, evacuate 50 mm", lines);
        Assert.Contains("       falling to none in 29 min 5 s (clearAfter running)", lines);
        Assert.Contains("  sensor rain-gauge     0.2 mm      good         62 tips, last 12 s ago", lines);
        Assert.Contains("       fault: slave 1 on bus rs485: no answer within 300 ms (3 tries); slave 1", lines);
        Assert.Contains("broadcast playing evacuate, 0 queued, sink alsa:default", lines);
        Assert.Contains("health disk 21.3 GiB free of 28.6 GiB, memory 3.1 GiB free, UNDER-VOLTAGE, clock", lines);
        Assert.Contains("    synced", lines);
        Assert.DoesNotContain("0x50005", text, StringComparison.Ordinal);
    }
}
