using System.CommandLine;

namespace EdgeGateway.Cli;

/// <summary><c>edgegw sim ...</c>: simulated field devices and inputs for bench work, demos and tests.</summary>
internal static class SimCommands
{
    public static Command Build()
    {
        var sim = new Command("sim", "Simulate field devices and inputs");
        sim.Subcommands.Add(SimGpioCommand.Build());
        sim.Subcommands.Add(SimModbusCommand.Build());
        return sim;
    }
}
