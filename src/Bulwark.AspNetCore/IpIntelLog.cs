using Microsoft.Extensions.Logging;

namespace Bulwark.AspNetCore;

/// <summary>Log events of the IP intelligence database.</summary>
internal static partial class IpIntelLog
{
    [LoggerMessage(EventId = 2201, Level = LogLevel.Information, Message = "IP intelligence database {Path} loaded: {Ranges} ranges")]
    public static partial void Reloaded(ILogger logger, string path, int ranges);

    [LoggerMessage(EventId = 2202, Level = LogLevel.Error, Message = "IP intelligence database {Path} refused; the previous one (if any) stays in force: {Error}")]
    public static partial void Refused(ILogger logger, string path, string error);
}
