using System.Globalization;
using System.Text;
using EdgeGateway.Hub.Storage;

namespace EdgeGateway.Hub.Tests.Fixtures;

/// <summary>Uplink messages as a station writes them (docs/mqtt.md), for feeding the writer directly.</summary>
internal static class Payloads
{
    public static readonly DateTimeOffset T0 = new(2026, 7, 1, 3, 0, 0, TimeSpan.Zero);

    public static Incoming Event(string station, long seq, string type = "tamper") => new(
        $"ews/{station}/event",
        Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture,
            $$"""{"station":"{{station}}","id":"{{Guid.NewGuid()}}","time":"{{Time(seq)}}","seq":{{seq}},"type":"{{type}}","source":"door","message":"m","data":{"n":{{seq}} } }""")));

    public static Incoming Telemetry(string station, long seq, int readings = 2)
    {
        var rows = string.Join(",", Enumerable.Range(0, readings).Select(i =>
            string.Create(CultureInfo.InvariantCulture, $$"""{"sensor":"s{{i}}","time":"{{Time(seq)}}","value":{{seq + (i / 10.0)}},"unit":"m","quality":"good"}""")));
        return new($"ews/{station}/telemetry", Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture,
            $$"""{"station":"{{station}}","id":"{{Guid.NewGuid()}}","time":"{{Time(seq)}}","seq":{{seq}},"readings":[{{rows}}]}""")));
    }

    public static Incoming Alert(string station, long seq) => new(
        $"ews/{station}/alert",
        Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture,
            $$"""{"station":"{{station}}","id":"{{Guid.NewGuid()}}","time":"{{Time(seq)}}","seq":{{seq}},"scope":"rule","rule":"river","from":"none","to":"watch","value":3.25,"threshold":3.2,"severity":"Moderate"}""")));

    public static Incoming Status(string station, string state) => new(
        $"ews/{station}/status",
        Encoding.UTF8.GetBytes($$"""{"station":"{{station}}","id":"{{Guid.NewGuid()}}","time":"{{Time(0)}}","state":"{{state}}"}"""));

    private static string Time(long seq) => T0.AddSeconds(seq).ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture);
}
