using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using EdgeGateway.Tests.Packaging;

namespace EdgeGateway.Tests.Faults;

/// <summary>
/// scripts/powercut.sh: the packaged station in a qemu guest whose power is cut (SIGKILL of qemu) while it
/// writes, and the judge of what the hub received (no seq given twice, every gap announced).
/// </summary>
public sealed class PowerCutTests
{
    private const string Script = "scripts/powercut.sh";
    private const string Station = "ews/powercut-01/";

    // The first run on a machine bootstraps the guest's Debian (a few minutes); each boot under
    // software emulation takes one to three minutes on a busy two-core machine.
    private static readonly TimeSpan RunBudget = TimeSpan.FromMinutes(20);
    private static readonly TimeSpan JudgeBudget = TimeSpan.FromSeconds(30);

    [Fact]
    [Trait("Category", "Faults")]
    public async Task PowerCut_CutWhileTheStationWrites_BootsAgainNoSeqTwiceEveryGapAnnounced()
    {
        var publish = await PublishedBuilds.GetAsync("linux-x64");

        var result = await ScriptRunner.RunAsync(
            "bash",
            [Path.Combine(ScriptRunner.RepoRoot, Script), "--cuts", "1"],
            RunBudget,
            new Dictionary<string, string> { ["PUBLISH_DIR"] = publish });

        Assert.True(result.ExitCode == 0, result.ToString());
        var verdict = Regex.Match(
            result.Stdout,
            @"^verdict: booted (\d+)/(\d+), seqs 1\.\.(\d+) judged .*duplicate seqs (\d+), gaps \d+, unannounced (\d+)$",
            RegexOptions.Multiline);
        Assert.True(verdict.Success, result.ToString());
        Assert.Equal(("2", "2"), (verdict.Groups[1].Value, verdict.Groups[2].Value));
        Assert.Equal("0", verdict.Groups[4].Value);
        Assert.Equal("0", verdict.Groups[5].Value);
        // The cut fell while the station was uplinking: seqs were given before it and after the new boot.
        var before = Regex.Match(result.Stdout, @"^boot 1: online after [\d.]+ s; seq before none; new seqs 1\.\.(\d+)", RegexOptions.Multiline);
        var after = Regex.Match(result.Stdout, @"^boot 2: online after [\d.]+ s; seq before (\d+); new seqs (\d+)\.\.(\d+)", RegexOptions.Multiline);
        Assert.True(before.Success && after.Success, result.ToString());
        // (The lowest seq received in the new boot may be an older one: telemetry from the outbox goes out
        // after the alerts that overtook it, so only the highest says that new seqs were given.)
        Assert.True(Seq(after, 3) > Seq(before, 1), result.ToString());
        Assert.True(Seq(after, 3) >= Seq(after, 2), result.ToString());
        Assert.EndsWith("powercut: PASS\n", result.Stdout, StringComparison.Ordinal);
    }

    /// <summary>Made-up records of two boots, what the judge must find in each, and its exit code.</summary>
    public static TheoryData<string, string[], int, string[]> Records => new()
    {
        {
            "gaps announced by seq-skipped and telemetry-dropped; seq 3 delivered twice with one id",
            [
                Online(11), Received(12, "event", Json(1, "a", "config-applied")), Received(13, "alert/cap", Cap(2, "cap-1")),
                Received(14, "telemetry", Json(3, "b")), Online(21),
                Received(22, "event", Json(104, "c", "seq-skipped", """{"from":4,"to":103}""")),
                Received(23, "event", Json(105, "d", "telemetry-dropped", """{"count":2,"seqs":[[106,107]]}""")),
                Received(24, "telemetry", Json(3, "b")), Received(25, "telemetry", Json(108, "e")),
            ],
            0,
            ["announced skips: 4-103,106-107", "gaps: 4-103,106-107; not announced: none", "verdict: booted 2/2, seqs 1..108 judged", "powercut: PASS"]
        },
        {
            "one seq, two CAP identifiers",
            [
                Online(11), Received(12, "telemetry", Json(1, "a")), Received(13, "alert/cap", Cap(2, "cap-1")),
                Online(21), Received(22, "alert/cap", Cap(2, "cap-2")), Received(23, "telemetry", Json(3, "c")),
            ],
            1,
            ["seqs given twice: 2 (ids cap-1 cap-2)", "powercut: FAIL"]
        },
        {
            // Past the highest telemetry seq a message may still be on its way: 11 is not a gap yet.
            "a gap only partly announced",
            [
                Online(11), Received(12, "telemetry", Json(1, "a")),
                Online(21), Received(22, "event", Json(9, "b", "seq-skipped", """{"from":2,"to":5}""")),
                Received(23, "telemetry", Json(10, "c")), Received(24, "alert", Json(12, "d")),
            ],
            1,
            ["gaps: 2-8; not announced: 6-8", "seqs 1..10 judged", "powercut: FAIL"]
        },
        {
            "a CAP document carrying its alert's seq",
            [
                Online(11), Received(12, "telemetry", Json(1, "a")), Received(13, "alert", Json(2, "alert-1")),
                Received(14, "alert/cap", Cap(2, "cap-1", alertId: "alert-1")), Online(21), Received(22, "telemetry", Json(3, "b")),
            ],
            0,
            ["seqs given twice: none", "gaps: none; not announced: none", "powercut: PASS"]
        },
        {
            "the second boot never online",
            [Online(11), Received(12, "telemetry", Json(1, "a")), Received(21, "status", """{"state":"offline"}""")],
            1,
            ["boot 2: NOT online", "verdict: booted 1/2", "powercut: FAIL"]
        },
    };

    [Theory]
    [MemberData(nameof(Records))]
    public async Task Judge_Record_FindsWhatItHolds(string what, string[] record, int exitCode, string[] expected)
    {
        var result = await JudgeAsync(record);

        Assert.True(result.ExitCode == exitCode, what + ": " + result);
        foreach (var text in expected)
        {
            Assert.True(result.Stdout.Contains(text, StringComparison.Ordinal), $"{what}: no '{text}' in\n{result.Stdout}");
        }

        Assert.EndsWith(expected[^1] + "\n", result.Stdout, StringComparison.Ordinal);
    }

    private static int Seq(Match match, int group) => int.Parse(match.Groups[group].Value, CultureInfo.InvariantCulture);

    // Judges a record of two boots in host time: the first from 10 s (cut at 15 s), the second from 20 s
    // (cut at 30 s), each online when the record says so.
    private static async Task<ProcessResult> JudgeAsync(params string[] record)
    {
        using var run = new TempDirectory("edgegw-powercut-judge-");
        await File.WriteAllLinesAsync(run.File("record.txt"), record);
        var second = record.Contains(Online(21)) ? """{"start":20,"online":21,"cut":30}""" : """{"start":20,"online":null,"cut":null}""";
        await File.WriteAllTextAsync(run.File("run.json"), $$"""{"cuts":1,"seed":1,"boots":[{"start":10,"online":11,"cut":15},{{second}}]}""");
        return await ScriptRunner.RunAsync("bash", [Path.Combine(ScriptRunner.RepoRoot, Script), "--judge", run.Path], JudgeBudget);
    }

    private static string Online(double time) => Received(time, "status", """{"state":"online"}""");

    // A record line as the recorder writes it: receive time, then mosquitto_sub's -F %j JSON.
    private static string Received(double time, string topic, string payload) =>
        time.ToString(CultureInfo.InvariantCulture) + " " + JsonSerializer.Serialize(new { topic = Station + topic, qos = 1, payload });

    private static string Json(long seq, string id, string? eventType = null, string? data = null)
    {
        var message = new JsonObject { ["station"] = "powercut-01", ["id"] = id, ["time"] = "1970-01-01T00:00:20.500Z", ["seq"] = seq };
        if (eventType is not null)
        {
            message["type"] = eventType;
            message["data"] = data is null ? null : JsonNode.Parse(data);
        }

        return message.ToJsonString();
    }

    // The parts of a CAP 1.2 document the judge reads, laid out over lines as the station writes it.
    private static string Cap(long seq, string identifier, string? alertId = null) => $"""
        <?xml version="1.0" encoding="utf-8"?>
        <alert xmlns="urn:oasis:names:tc:emergency:cap:1.2">
          <identifier>{identifier}</identifier>
          <sender>powercut-01</sender>
          <sent>1970-01-01T00:00:20-00:00</sent>
          <info>
            <parameter>
              <valueName>seq</valueName>
              <value>{seq}</value>
            </parameter>{(alertId is null ? "" : $"<parameter><valueName>alertId</valueName><value>{alertId}</value></parameter>")}
          </info>
        </alert>
        """;
}
