using EdgeGateway.Uplink.Commands;

namespace EdgeGateway.Uplink.Tests.Commands;

public sealed class KernelClockSyncTests
{
    [Fact]
    public void IsSynchronized_TimesyncdFlagPresent_True()
    {
        using var dir = new TempDirectory();
        var flag = dir.File("synchronized");
        File.WriteAllText(flag, "");

        Assert.True(new KernelClockSync(flag).IsSynchronized());
    }
}
