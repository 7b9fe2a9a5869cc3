namespace Bulwark.Core.Replay;

/// <summary>What <c>bulwark replay</c> reads: request records, or nginx access logs in one of two formats (docs/replay.md).</summary>
public enum ReplayInputFormat
{
    /// <summary>Request records, one JSON object per line (CONTRACTS.md §2). Command-line name <c>jsonl</c>.</summary>
    JsonLines,

    /// <summary>nginx's predefined <c>combined</c> access log format. Command-line name <c>nginx</c>.</summary>
    NginxCombined,

    /// <summary>The <c>bulwark</c> nginx <c>log_format</c> in JSON (samples/nginx-bulwark-log.conf). Command-line name <c>nginx-json</c>.</summary>
    NginxJson,
}
