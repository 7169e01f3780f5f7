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
                var sensor = new ModbusSensorOptions
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
                };
                options.ModbusSensors.Add(sensor with { Poll = s.Poll ?? sensor.Poll });
            }
            else if (s.Ina219 is { } ina)
            {
                var i = new Ina219Options { Id = s.Id, Scale = s.Scale, Offset = s.Offset, Valid = valid };
                options.Ina219Sensors.Add(i with { Bus = ina.Bus ?? i.Bus, Address = ina.Address ?? i.Address, Poll = s.Poll ?? i.Poll });
            }
            else if (s.Gpio is { } g && s.Kind == SensorKind.RainPulse)
            {
                var t = new TippingBucketOptions { Id = s.Id, Pin = g.Pin, MmPerTip = s.MmPerTip ?? 0, Valid = valid };
                options.TippingBuckets.Add(t with
                {
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
