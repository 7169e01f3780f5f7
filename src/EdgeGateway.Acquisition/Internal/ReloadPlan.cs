namespace EdgeGateway.Acquisition.Internal;

/// <summary>
/// What moving the running acquisition from one set of options to the next stops and starts. Computed from the two
/// option sets alone, before anything is touched, so that a reload that cannot be put into force changes nothing.
/// The options' values are already valid (<see cref="AcquisitionOptions.Validate"/>): the plan judges only what the
/// running station adds, the GPIO lines held by others.
/// </summary>
/// <param name="Changes">What the caller is told changed.</param>
/// <param name="Differs">Sensors added, removed or changed: the parts built again.</param>
/// <param name="BusesToStop">Buses stopped after their transaction in progress (restarted when still configured).</param>
/// <param name="Ina219ToStop">INA219 loops cancelled.</param>
/// <param name="GpioToRelease">GPIO inputs whose line is released (and requested again when still configured).</param>
internal sealed record ReloadPlan(
    AcquisitionChanges Changes,
    IReadOnlySet<string> Differs,
    IReadOnlyList<string> BusesToStop,
    IReadOnlyList<string> Ina219ToStop,
    IReadOnlyList<string> GpioToRelease)
{
    /// <summary>How every refusal of a reload ends.</summary>
    public const string LeftAsTheyWere = "; sensors and buses left as they were";

    /// <summary>The plan of a first start: everything in <paramref name="options"/> is new.</summary>
    public static ReloadPlan ForStart(AcquisitionOptions options, Func<int, bool>? pinInUse) =>
        For(new AcquisitionOptions(), options, pinInUse);

    /// <summary>Plans the move from <paramref name="previous"/> to <paramref name="next"/>.</summary>
    /// <param name="pinInUse">Whether a GPIO line is already held (by a relay or an input); null when no line is
    /// open yet.</param>
    /// <exception cref="InvalidOperationException">The move cannot be done without failing half way.</exception>
    public static ReloadPlan For(AcquisitionOptions previous, AcquisitionOptions next, Func<int, bool>? pinInUse)
    {
        ArgumentNullException.ThrowIfNull(previous);
        ArgumentNullException.ThrowIfNull(next);
        var before = AllSensors(previous);
        var after = AllSensors(next);
        var added = after.Keys.Where(id => !before.ContainsKey(id)).Order(StringComparer.Ordinal).ToList();
        var removed = before.Keys.Where(id => !after.ContainsKey(id)).Order(StringComparer.Ordinal).ToList();
        var changed = after.Keys.Where(id => before.TryGetValue(id, out var o) && !o.Equals(after[id])).Order(StringComparer.Ordinal).ToList();
        var differs = new HashSet<string>(added.Concat(removed).Concat(changed), StringComparer.Ordinal);

        var gpioRelease = before.Values.Where(o => o is TippingBucketOptions or DigitalInputOptions && differs.Contains(o.Id)).ToList();
        var gpioOpen = after.Values.Where(o => o is TippingBucketOptions or DigitalInputOptions && differs.Contains(o.Id)).ToList();
        if (pinInUse is not null)
        {
            var released = gpioRelease.Select(Pin).ToHashSet();
            foreach (var o in gpioOpen)
            {
                var pin = Pin(o);
                if (pinInUse(pin) && !released.Contains(pin))
                {
                    throw new InvalidOperationException(
                        $"sensor {o.Id}: GPIO line {pin} is in use by a relay or another input{LeftAsTheyWere}");
                }
            }
        }

        var busesToStop = new List<string>();
        var busIds = previous.Buses.Select(b => b.Id).Union(next.Buses.Select(b => b.Id), StringComparer.Ordinal);
        foreach (var id in busIds)
        {
            var was = previous.Buses.Find(b => b.Id == id);
            var now = next.Buses.Find(b => b.Id == id);
            var sensorsMoved = previous.ModbusSensors.Concat(next.ModbusSensors).Any(s => s.Bus == id && differs.Contains(s.Id));
            if (was is not null && (now is null || !was.Equals(now) || sensorsMoved))
            {
                busesToStop.Add(id);
            }
        }

        var restarted = busesToStop.Where(id => next.Buses.Exists(b => b.Id == id)).Order(StringComparer.Ordinal).ToList();
        var baselines = new List<string>();
        foreach (var o in next.ModbusSensors.Where(o => o.Kind == ModbusSensorKind.RainTotal && changed.Contains(o.Id)))
        {
            if (previous.ModbusSensors.Find(p => p.Id == o.Id) is not { Kind: ModbusSensorKind.RainTotal } p || !SameRegister(p, o))
            {
                baselines.Add(o.Id);
            }
        }

        return new ReloadPlan(
            new AcquisitionChanges(added, removed, changed, restarted, baselines),
            differs,
            busesToStop,
            [.. before.Values.OfType<Ina219Options>().Where(o => differs.Contains(o.Id)).Select(o => o.Id)],
            [.. gpioRelease.Select(o => o.Id)]);
    }

    private static Dictionary<string, SensorOptions> AllSensors(AcquisitionOptions options)
    {
        var all = new Dictionary<string, SensorOptions>(StringComparer.Ordinal);
        foreach (var o in options.TippingBuckets.Cast<SensorOptions>().Concat(options.DigitalInputs).Concat(options.Ina219Sensors).Concat(options.ModbusSensors))
        {
            all.TryAdd(o.Id, o);
        }

        return all;
    }

    private static int Pin(SensorOptions o) => o switch
    {
        TippingBucketOptions t => t.Pin,
        DigitalInputOptions d => d.Pin,
        _ => -1,
    };

    // The counter is the same device register: its count can go on across the change.
    private static bool SameRegister(ModbusSensorOptions a, ModbusSensorOptions b) =>
        a.Bus == b.Bus && a.Slave == b.Slave && a.Table == b.Table && a.Address == b.Address && a.Type == b.Type && a.Order == b.Order;
}
