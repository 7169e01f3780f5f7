using EdgeGateway.Cli;
using EdgeGateway.Hosting;

namespace EdgeGateway.Tests.Cli;

public sealed class CliRootVersionTests
{
    // Through the built executable: System.CommandLine reads the version of the entry assembly.
    [Fact]
    public async Task Version_PrintsTheInformationalVersion()
    {
        var (code, stdout, _) = await EdgegwProcess.RunAsync("--version");

        Assert.Equal(ExitCodes.Success, code);
        Assert.Equal(StationHost.Version, stdout.Trim());
        Assert.Matches(@"^\d+\.\d+\.\d+", stdout);
    }
}
