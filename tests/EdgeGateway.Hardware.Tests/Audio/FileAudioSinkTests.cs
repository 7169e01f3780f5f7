using System.Globalization;
using EdgeGateway.Hardware.Audio;
using EdgeGateway.Hardware.Tests.Testing;

namespace EdgeGateway.Hardware.Tests.Audio;

public sealed class FileAudioSinkTests
{
    [Fact]
    public async Task PlayAsync_EachAppend_LeavesAValidWavThatSoxReads()
    {
        using var dir = new TempDirectory();
        var clock = new TestClock();
        var sink = new FileAudioSink(dir.File("timeline.wav"), clock);
        var clip = Tones.Sine(440, TimeSpan.FromSeconds(1));

        var expected = new[] { 1.0, 3.0, 4.0 };
        var steps = new Func<Task>[]
        {
            () => sink.PlayAsync(clip, muted: false, CancellationToken.None),
            () => sink.PauseAsync(TimeSpan.FromSeconds(2), CancellationToken.None),
            () => sink.PlayAsync(clip, muted: false, CancellationToken.None),
        };
        for (var i = 0; i < steps.Length; i++)
        {
            var play = steps[i]();
            await clock.RunUntilAsync(() => play.IsCompleted, what: "play");
            await play;

            var (code, stdout, error) = await TestProcess.RunAsync("soxi", "-D", sink.Path);
            Assert.True(code == 0, error);
            Assert.Equal(expected[i], double.Parse(stdout, CultureInfo.InvariantCulture), 3);
        }
    }

    [Fact]
    public async Task PlayAsync_Cancelled_WritesOnlyWhatWasPlayed()
    {
        using var dir = new TempDirectory();
        var clock = new TestClock();
        var sink = new FileAudioSink(dir.File("timeline.wav"), clock);
        using var cancel = new CancellationTokenSource();

        var play = sink.PlayAsync(Tones.Sine(440, TimeSpan.FromSeconds(2)), muted: false, cancel.Token);
        await clock.AdvanceWithinAsync(TimeSpan.FromSeconds(0.5));
        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => play);
        Assert.Equal(8000, WavFile.Read(sink.Path, "t").Samples.Length);
    }

    [Fact]
    public async Task PlayAsync_Muted_TakesTheTimeButWritesNothing()
    {
        using var dir = new TempDirectory();
        var clock = new TestClock();
        var sink = new FileAudioSink(dir.File("timeline.wav"), clock);

        var play = sink.PlayAsync(Tones.Sine(440, TimeSpan.FromSeconds(2)), muted: true, CancellationToken.None);
        await clock.RunUntilAsync(() => play.IsCompleted, what: "muted play");

        Assert.Equal(TimeSpan.FromSeconds(2), clock.Elapsed);
        Assert.Empty(WavFile.Read(sink.Path, "t").Samples.ToArray());
    }

    [Fact]
    public async Task PlayAsync_ExistingFileNotOurs_FailsAsDeviceErrorWithoutTouchingIt()
    {
        using var dir = new TempDirectory();
        var path = dir.File("notes.wav");
        await File.WriteAllTextAsync(path, "a technician's notes, not audio");
        var sink = new FileAudioSink(path, new TestClock());

        var ex = await Assert.ThrowsAsync<AudioDeviceException>(() => sink.PlayAsync(Tones.Sine(440, TimeSpan.FromSeconds(1)), false, CancellationToken.None));

        Assert.Contains(path, ex.Message, StringComparison.Ordinal);
        Assert.Equal("a technician's notes, not audio", await File.ReadAllTextAsync(path));
    }

    [Fact]
    public async Task PlayAsync_TimelineCrossCheckedWithSoxStat_LengthAndSilentGap()
    {
        using var dir = new TempDirectory();
        var clock = new TestClock();
        var sink = new FileAudioSink(dir.File("timeline.wav"), clock);
        var clip = Tones.Sine(1000, TimeSpan.FromSeconds(1.5), amplitude: 0.5);
        foreach (var step in new Func<Task>[]
        {
            () => sink.PlayAsync(clip, false, CancellationToken.None),
            () => sink.PauseAsync(TimeSpan.FromSeconds(3), CancellationToken.None),
            () => sink.PlayAsync(clip, false, CancellationToken.None),
        })
        {
            var task = step();
            await clock.RunUntilAsync(() => task.IsCompleted, what: "step");
            await task;
        }

        var whole = Stat(await TestProcess.RunAsync("sox", sink.Path, "-n", "stat"));
        var gap = Stat(await TestProcess.RunAsync("sox", sink.Path, "-n", "trim", "1.5", "3", "stat"));
        var second = Stat(await TestProcess.RunAsync("sox", sink.Path, "-n", "trim", "4.5", "1.5", "stat"));

        Assert.Equal(6.0, whole["Length (seconds)"], 3);
        Assert.Equal(0.5, whole["Maximum amplitude"], 2);
        Assert.Equal(0.0, gap["Maximum amplitude"], 6);
        Assert.Equal(0.5, second["Maximum amplitude"], 2);
        Assert.InRange(second["Rough   frequency"], 990, 1010);
    }

    /// <summary>Parses <c>sox ... stat</c> output (written to stderr) into name/value pairs.</summary>
    private static Dictionary<string, double> Stat(ProcessResult run)
    {
        Assert.True(run.ExitCode == 0, run.Stderr);
        var result = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var line in run.Stderr.Split('\n'))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon > 0 && double.TryParse(line[(colon + 1)..].Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
            {
                result[line[..colon].Trim()] = value;
            }
        }

        return result;
    }
}
