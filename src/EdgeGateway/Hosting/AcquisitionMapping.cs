using System.Device.Gpio;
using EdgeGateway.Acquisition;
using EdgeGateway.Configuration;
using EdgeGateway.Control;
using EdgeGateway.Hardware.Gpio;
using EdgeGateway.Hosting.Reload;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace EdgeGateway.Hosting;

/// <summary>Maps the station.yaml model onto the acquisition side's own options, and composes it.</summary>
public static class AcquisitionMapping
{
    /// <summary>The file of the readings history inside <c>storage.path</c>.</summary>
    public const string HistoryFileName = "history.db";

    /// <summary>
    /// Adds the station's GPIO chip (<see cref="GpioSetup"/>, and its <see cref="GpioController"/> shared with the
    /// broadcast relays), every configured sensor and bus (<see cref="AcquisitionService"/>), the readings history
    /// in <c>storage.path/history.db</c>, the <c>sim.gpio</c> control verb, and the applier that puts a reloaded
    /// <c>sensors</c> and <c>buses</c> section into force while running.
    /// </summary>
    public static IServiceCollection AddStationAcquisition(this IServiceCollection services, StationConfig config)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(config);
        services.TryAddSingleton(TimeProvider.System);
        var gpio = Gpio(config.Hardware.Gpio);
        services.TryAddSingleton(sp => GpioControllerFactory.Create(gpio, sp.GetRequiredService<TimeProvider>()));
        services.TryAddSingleton(sp => sp.GetRequiredService<GpioSetup>().Controller);
        services.AddAcquisition(FromConfig(config));
        services.AddSingleton<IConfigApplier>(sp => new AcquisitionApplier(sp.GetRequiredService<AcquisitionService>(), config.Hardware.Gpio));
        services.AddSingleton<IControlVerb, SimGpioVerb>();
        services.AddSingleton<IControlVerb, SimGpioOutputsVerb>();
        return services;
    }

    public static AcquisitionOptions FromConfig(StationConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        // What the file leaves out keeps the options' own default.
        var options = new AcquisitionOptions
        {
            History = new HistoryOptions
            {
                Path = Path.Combine(config.Storage.Path, HistoryFileName),
                Retention = config.Storage.History ?? HistoryOptions.DefaultRetention,
            },
        };
        foreach (var bus in config.Buses)
        {
            options.Buses.Add(Bus(bus));
        }

        foreach (var s in config.Sensors)
        {
            var valid = s.Valid is { } v ? new ValueRange(v.Min, v.Max) : (ValueRange?)null;
            if (s.Modbus is { } m)
            {
                var sensor = new ModbusSensorOptions
                {
                    Id = s.Id,
                    Bus = m.Bus,
                    Kind = s.Kind == SensorKind.RainTotal ? ModbusSensorKind.RainTotal : ModbusSensorKind.Value,
                    Slave = (byte)m.Slave,
                    Address = (ushort)m.Address,
                    Valid = valid,
                };
                options.ModbusSensors.Add(sensor with
                {
                    Table = m.Table ?? sensor.Table,
                    Type = m.Type ?? sensor.Type,
                    Order = m.Order ?? sensor.Order,
                    Scale = s.Scale ?? sensor.Scale,
                    Offset = s.Offset ?? sensor.Offset,
                    Poll = s.Poll ?? sensor.Poll,
                });
            }
            else if (s.Ina219 is { } ina)
            {
                var i = new Ina219Options { Id = s.Id, Valid = valid };
                options.Ina219Sensors.Add(i with
                {
                    Bus = ina.Bus ?? i.Bus,
                    Address = ina.Address ?? i.Address,
                    Scale = s.Scale ?? i.Scale,
                    Offset = s.Offset ?? i.Offset,
                    Poll = s.Poll ?? i.Poll,
                });
            }
            else if (s.Gpio is { } g && s.Kind == SensorKind.RainPulse)
            {
                var t = new TippingBucketOptions { Id = s.Id, Pin = g.Pin, Valid = valid };
                options.TippingBuckets.Add(t with
                {
                    MmPerTip = s.MmPerTip ?? t.MmPerTip,
                    Edge = g.Edge is { } edge ? Edge(edge) : t.Edge,
                    Mode = g.Pull is { } pull ? Mode(pull) : t.Mode,
                    Debounce = g.Debounce ?? t.Debounce,
                });
            }
            else if (s.Gpio is { } d)
            {
                var i = new DigitalInputOptions { Id = s.Id, Pin = d.Pin, ActiveLow = d.ActiveLow, Valid = valid };
                options.DigitalInputs.Add(i with { Mode = d.Pull is { } pull ? Mode(pull) : i.Mode, Debounce = d.Debounce ?? i.Debounce });
            }
        }

        return options;
    }

    /// <summary>The station's GPIO chip (<c>hardware.gpio</c>).</summary>
    public static GpioHardwareOptions Gpio(GpioSection gpio)
    {
        ArgumentNullException.ThrowIfNull(gpio);
        var simulated = gpio.Driver == GpioDriverKind.Simulated;
        return gpio.Chip is { } chip ? new GpioHardwareOptions(simulated, chip) : new GpioHardwareOptions(simulated);
    }

    /// <summary>One bus; what the file leaves out keeps the options' own default.</summary>
    public static ModbusBusOptions Bus(BusConfig bus)
    {
        ArgumentNullException.ThrowIfNull(bus);
        var b = new ModbusBusOptions { Id = bus.Id, Rtu = bus.ModbusRtu is { } rtu ? Rtu(rtu) : null, Tcp = bus.ModbusTcp is { } tcp ? Tcp(tcp) : null };
        return b with { Timeout = bus.Timeout ?? b.Timeout, Retries = bus.Retries ?? b.Retries, Gap = bus.Gap ?? b.Gap };
    }

    private static RtuBusOptions Rtu(ModbusRtuSection rtu)
    {
        var r = new RtuBusOptions(rtu.Port);
        return r with
        {
            Baud = rtu.Baud ?? r.Baud,
            Parity = rtu.Parity is { } parity ? ParityOf(parity) : r.Parity,
            StopBits = rtu.StopBits is { } stop ? (stop == 2 ? System.IO.Ports.StopBits.Two : System.IO.Ports.StopBits.One) : r.StopBits,
        };
    }

    private static TcpBusOptions Tcp(ModbusTcpSection tcp)
    {
        var t = new TcpBusOptions(tcp.Host);
        return t with { Port = tcp.Port ?? t.Port };
    }

    private static PinEventTypes Edge(GpioEdge edge) => edge switch
    {
        GpioEdge.Rising => PinEventTypes.Rising,
        GpioEdge.Both => PinEventTypes.Rising | PinEventTypes.Falling,
        _ => PinEventTypes.Falling,
    };

    private static PinMode Mode(GpioPull pull) => pull switch
    {
        GpioPull.Up => PinMode.InputPullUp,
        GpioPull.Down => PinMode.InputPullDown,
        _ => PinMode.Input,
    };

    private static System.IO.Ports.Parity ParityOf(Configuration.Parity parity) => parity switch
    {
        Configuration.Parity.Even => System.IO.Ports.Parity.Even,
        Configuration.Parity.Odd => System.IO.Ports.Parity.Odd,
        _ => System.IO.Ports.Parity.None,
    };
}
