using System.Text.Json.Serialization;

namespace EdgeGateway.Cli;

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(SummaryJson))]
internal sealed partial class SummaryJsonContext : JsonSerializerContext;
