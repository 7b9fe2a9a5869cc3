namespace Bulwark.Core.Protections;

/// <summary>
/// The OTP / SMS / e-mail sending preset of a policy (<c>Policies:NAME:Otp</c>): limits per normalised destination,
/// per client address, per destination prefix (phone country and area, e-mail domain) and optionally globally, all
/// refused before the upstream sends anything. An empty rate turns that limit off. See docs/protections.md.
/// </summary>
public sealed record OtpOptions
{
    /// <summary>Top-level JSON body field holding the destination (default <c>phone</c>).</summary>
    public string Field { get; init; } = "phone";

    /// <summary><c>auto</c> (default: e-mail when the value has an <c>@</c>, else phone), <c>phone</c> or <c>email</c>.</summary>
    public string Kind { get; init; } = "auto";

    /// <summary>Sends allowed per normalised destination (default <c>"3/h"</c>).</summary>
    public string PerDestination { get; init; } = "3/h";

    /// <summary>Sends allowed per client address (default <c>"10/h"</c>).</summary>
    public string PerIp { get; init; } = "10/h";

    /// <summary>Sends allowed per destination prefix: the first <see cref="PrefixDigits"/> digits of a phone number, or an e-mail domain (default <c>"100/h"</c>).</summary>
    public string PerPrefix { get; init; } = "100/h";

    /// <summary>Digits of the international number that make its prefix (country and area code; default 5).</summary>
    public int PrefixDigits { get; init; } = 5;

    /// <summary>Country calling code put in place of a national trunk <c>0</c> (for example <c>"44"</c>: 07700 900123 → 447700900123). Default none: numbers are taken as international.</summary>
    public string? DefaultCountryCode { get; init; }

    /// <summary>Sends allowed in total on the policy (default empty: off).</summary>
    public string Global { get; init; } = "";
}
