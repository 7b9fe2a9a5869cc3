namespace Bulwark.Core.Simulation;

/// <summary>The country of an IPv4 address from <c>first,last,country</c> ranges (npm <c>@ip-location-db/asn-country</c>).</summary>
public sealed class CountryLookup
{
    private readonly uint[] _firsts;
    private readonly uint[] _lasts;
    private readonly string[] _countries;

    /// <summary>Creates the lookup from ranges sorted by their first address (as the CSV is).</summary>
    public CountryLookup(IReadOnlyList<(uint First, uint Last, string Country)> ranges)
    {
        ArgumentNullException.ThrowIfNull(ranges);
        _firsts = [.. ranges.Select(r => r.First)];
        _lasts = [.. ranges.Select(r => r.Last)];
        _countries = [.. ranges.Select(r => string.Intern(r.Country))];
    }

    /// <summary>The two-letter country code of <paramref name="ip"/>, or null when no range holds it.</summary>
    public string? Country(string ip)
    {
        if (AddressPool.Parse(ip) is not { } address)
        {
            return null;
        }

        var index = Array.BinarySearch(_firsts, address);
        index = index < 0 ? ~index - 1 : index;
        return index >= 0 && address <= _lasts[index] ? _countries[index] : null;
    }

    /// <summary>Draws from <paramref name="pool"/> until the address is in a country <paramref name="accept"/> takes (at most 200 draws; then the last draw).</summary>
    public string Draw(AddressPool pool, Random random, Func<string?, bool> accept)
    {
        ArgumentNullException.ThrowIfNull(pool);
        ArgumentNullException.ThrowIfNull(accept);
        var ip = pool.Next(random);
        for (var i = 0; i < 200 && !accept(Country(ip)); i++)
        {
            ip = pool.Next(random);
        }

        return ip;
    }
}
