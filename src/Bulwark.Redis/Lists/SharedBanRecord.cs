using System.Text.Json.Serialization;

namespace Bulwark.Redis.Lists;

/// <summary>A ban as stored in the Redis hash and published to the gateways (JSON). Times are UTC ticks.</summary>
internal sealed record SharedBanRecord(
    [property: JsonPropertyName("op")] string Op,
    [property: JsonPropertyName("t")] int Target,
    [property: JsonPropertyName("v")] string Value,
    [property: JsonPropertyName("e")] long ExpiresAtTicks,
    [property: JsonPropertyName("c")] long CreatedAtTicks,
    [property: JsonPropertyName("r")] string Reason);
