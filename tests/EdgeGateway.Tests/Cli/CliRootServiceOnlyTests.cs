using System.CommandLine;
using EdgeGateway.Cli;

namespace EdgeGateway.Tests.Cli;

/// <summary>The service's command line is parsed against a tree holding only <c>run</c>: it must read the same.</summary>
public sealed class CliRootServiceOnlyTests
{
    [Theory]
    [InlineData("run", "--help")]
    [InlineData("run", "--config", "station.yaml", "--log-levl", "debug")]
    [InlineData("run", "--config")]
    public void Build_ServiceOnly_ParsesAndHelpsTheRunLineAsTheFullTree(params string[] args)
    {
        var full = Describe(CliRoot.Build(), args);
        var serviceOnly = Describe(CliRoot.Build(serviceOnly: true), args);

        Assert.Equal(full, serviceOnly);
        Assert.NotEqual("", full);
    }

    [Fact]
    public void Build_ServiceOnly_HasOnlyTheRunVerb()
    {
        Assert.Equal(["run"], CliRoot.Build(serviceOnly: true).Subcommands.Select(c => c.Name));
        Assert.True(CliRoot.Build().Subcommands.Count > 10);
    }

    private static string Describe(RootCommand root, string[] args)
    {
        var parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            return string.Join("\n", CliRoot.UsageErrors(parse));
        }

        using var output = new StringWriter();
        parse.Invoke(new InvocationConfiguration { Output = output, Error = output });
        return output.ToString();
    }
}
