using System.CommandLine;

namespace EdgeGateway.Cli;

/// <summary><c>edgegw sim ...</c>: simulated field devices and inputs for bench work, demos and tests.</summary>
internal static class SimCommands
{
    public static Command Build()
    {
        var sim = new Command("sim", "Simulate field devices and inputs");
        sim.Subcommands.Add(SimFleetCommand.Build());
        sim.Subcommands.Add(SimGpioCommand.Build());
        sim.Subcommands.Add(SimModbusCommand.Build());
        sim.Subcommands.Add(SimSl651CentreCommand.Build());
        return sim.WithExamples(
            "edgegw sim fleet --stations 3 --template station.yaml",
            "edgegw sim gpio 27 high",
            "edgegw sim modbus --tcp 127.0.0.1:1502 --scenario typhoon-modbus.csv",
            "edgegw sim sl651-centre --port 5001");
    }
}
