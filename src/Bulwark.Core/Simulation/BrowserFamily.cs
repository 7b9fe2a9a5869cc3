namespace Bulwark.Core.Simulation;

/// <summary>The engine family a browser User-Agent names; it decides the headers the browser sends and their order.</summary>
public enum BrowserFamily
{
    /// <summary>Chrome, Edge, Opera, Samsung Internet and other Chromium browsers (send <c>sec-ch-ua</c> client hints).</summary>
    Chromium,

    /// <summary>Firefox.</summary>
    Firefox,

    /// <summary>Safari and every iOS browser (WebKit).</summary>
    Safari,
}
