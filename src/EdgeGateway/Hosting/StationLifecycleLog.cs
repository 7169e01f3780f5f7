using EdgeGateway.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace EdgeGateway.Hosting;

/// <summary>Logs once every service has started ("started") and when stopping begins.</summary>
internal sealed class StationLifecycleLog : IHostedService
{
    private readonly IHostApplicationLifetime _lifetime;
    private readonly ILogger<StationLifecycleLog> _logger;
    private readonly StationConfig _config;
    private readonly StationConfigFile _file;
    private readonly List<CancellationTokenRegistration> _registrations = [];

    public StationLifecycleLog(IHostApplicationLifetime lifetime, ILogger<StationLifecycleLog> logger, StationConfig config, StationConfigFile file)
    {
        _lifetime = lifetime;
        _logger = logger;
        _config = config;
        _file = file;
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _registrations.Add(_lifetime.ApplicationStarted.Register(() =>
            Log.StationStarted(_logger, _config.Station.Id, StationHost.Version, _file.Path, _config.Sensors.Count, _config.Alerting.Rules.Count)));
        _registrations.Add(_lifetime.ApplicationStopping.Register(() => Log.StationStopping(_logger, _config.Station.Id)));
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        foreach (var r in _registrations)
        {
            r.Dispose();
        }

        _registrations.Clear();
        return Task.CompletedTask;
    }
}
