using System.Text.Json.Nodes;
using EdgeGateway.Configuration.Internal;
using EdgeGateway.Control;
using EdgeGateway.Uplink.Commands;

namespace EdgeGateway.Hosting.Pipeline;

/// <summary>
/// <c>alert.clear {rule?, force?, actor?}</c> on the control socket, audited with the client's uid. A clear of
/// a rule whose sensor is faulty is refused (code <c>force-required</c>) unless forced; a forced clear plays no
/// all-clear. An unknown rule is refused (code <c>unknown-rule</c>) with the nearest id and the station's rules.
/// </summary>
public sealed class AlertClearVerb(StationPipeline pipeline) : IControlVerb
{
    /// <summary>The refusal code for a rule id the station does not have.</summary>
    public const string UnknownRule = CommandErrors.UnknownRule;

    public string Name => "alert.clear";

    public async Task<JsonNode?> HandleAsync(JsonObject args, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(args);
        var rule = args["rule"]?.GetValue<string>();
        var actor = args["actor"]?.GetValue<string>() ?? "control-socket";
        var force = args["force"]?.GetValue<bool>() ?? false;
        if (rule is not null && !pipeline.Engine.HasRule(rule))
        {
            var rules = pipeline.Engine.RuleLevels.Keys.ToList();
            var near = Suggest.Nearest(rule, rules) is { } n ? $"; did you mean '{n}'?" : ".";
            throw new ControlRequestException($"unknown rule '{rule}'{near} The station's rules: {string.Join(", ", rules)}", UnknownRule);
        }

        try
        {
            var transitions = await pipeline.ClearAsync(rule, actor, BroadcastControlVerbs.PeerUid(args), cancellationToken, force).ConfigureAwait(false);
            var list = new JsonArray();
            foreach (var t in transitions)
            {
                list.Add((JsonNode)new JsonObject
                {
                    ["scope"] = t.Scope.ToString().ToLowerInvariant(),
                    ["id"] = t.Id,
                    ["from"] = t.From,
                    ["to"] = t.To,
                });
            }

            return new JsonObject { ["transitions"] = list, ["stationLevel"] = pipeline.StationLevel };
        }
        catch (ForceRequiredException ex)
        {
            throw new ControlRequestException(ex.Message, CommandErrors.ClearNeedsForce);
        }
        catch (ArgumentException ex)
        {
            throw new ControlRequestException(ex.Message);
        }
    }
}
