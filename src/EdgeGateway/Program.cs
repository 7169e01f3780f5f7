using EdgeGateway.Cli;

namespace EdgeGateway;

public static class Program
{
    public static Task<int> Main(string[] args) => CliRoot.RunAsync(args);
}
