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
        var gpio = new GpioHardwareOptions(config.Hardware.Gpio.Driver == GpioDriverKind.Simulated, config.Hardware.Gpio.Chip);
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
        var options = new AcquisitionOptions
        {
            History = new HistoryOptions
            {
                Path = Path.Combine(config.Storage.Path, HistoryFileName),
                Retention = config.Storage.History,
            },
        };
        foreach (var bus in config.Buses)
        {
            options.Buses.Add(new ModbusBusOptions
            {
                Id = bus.Id,
                Rtu = bus.ModbusRtu is { } rtu ? new RtuBusOptions(rtu.Port, rtu.Baud, ParityOf(rtu.Parity), rtu.StopBits == 2 ? System.IO.Ports.StopBits.Two : System.IO.Ports.StopBits.One) : null,
                Tcp = bus.ModbusTcp is { } tcp ? new TcpBusOptions(tcp.Host, tcp.Port) : null,
                Timeout = bus.Timeout,
                Retries = bus.Retries,
                Gap = bus.Gap,
            });
        }

        foreach (var s in config.Sensors)
        {
            var valid = s.Valid is { } v ? new ValueRange(v.Min, v.Max) : (ValueRange?)null;
            if (s.Modbus is { } m)
            {
                options.ModbusSensors.Add(new ModbusSensorOptions
                {
                    Id = s.Id,
                    Bus = m.Bus,
                    Kind = s.Kind == SensorKind.RainTotal ? ModbusSensorKind.RainTotal : ModbusSensorKind.Value,
                    Slave = (byte)m.Slave,
                    Table = m.Table,
                    Address = (ushort)m.Address,
                    Type = m.Type,
                    Order = m.Order,
                    Scale = s.Scale,
                    Offset = s.Offset,
                    Valid = valid,
                    Poll = s.Poll ?? TimeSpan.FromSeconds(60),
                });
            }
            else if (s.Ina219 is { } ina)
            {
                options.Ina219Sensors.Add(new Ina219Options
                {
                    Id = s.Id,
                    Bus = ina.Bus,
                    Address = ina.Address,
                    Scale = s.Scale,
                    Offset = s.Offset,
                    Valid = valid,
                    Poll = s.Poll ?? TimeSpan.FromSeconds(60),
                });
            }
            else if (s.Gpio is { } g && s.Kind == SensorKind.RainPulse)
            {
                options.TippingBuckets.Add(new TippingBucketOptions
                {
                    Id = s.Id,
                    Pin = g.Pin,
                    Edge = Edge(g.Edge),
                    Mode = Mode(g.Pull),
                    Debounce = g.Debounce,
                    MmPerTip = s.MmPerTip ?? 0,
                    Valid = valid,
                });
            }
            else if (s.Gpio is { } d)
            {
                options.DigitalInputs.Add(new DigitalInputOptions
                {
                    Id = s.Id,
                    Pin = d.Pin,
                    Mode = Mode(d.Pull),
                    ActiveLow = d.ActiveLow,
                    Debounce = d.Debounce,
                    Valid = valid,
                });
            }
        }

        return options;
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
