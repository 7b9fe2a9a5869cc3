using System.Net;
using Bulwark.Core.Intel;
using Bulwark.Core.Intel.Database;

namespace Bulwark.Core.Tests.Intel.Database;

internal static class IpIntelTestKit
{
    public static readonly DateTimeOffset BuildTime = new(2026, 11, 22, 3, 0, 0, TimeSpan.Zero);

    public static (IpIntelDatabase Database, IpIntelBuildReport Report) Build(IpIntelDatabaseBuilder builder)
    {
        var report = new IpIntelBuildReport();
        byte[] image = builder.Build(BuildTime, report);
        return (IpIntelDatabase.Load(image, "test.db"), report);
    }

    public static IpInfo At(this IpIntelDatabase database, string address) => database.Lookup(IPAddress.Parse(address));
}
