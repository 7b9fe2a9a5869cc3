using Bulwark.Core;
using Bulwark.Core.Decisions;
using Microsoft.AspNetCore.Http;

namespace Bulwark.AspNetCore;

/// <summary>What the <see cref="BulwarkSetup.OnRejected"/> hook sees when a request is refused.</summary>
/// <param name="HttpContext">The request being refused. Status and Bulwark's headers are already set.</param>
/// <param name="Decision">The decision that refused it.</param>
/// <param name="Request">The engine's view of the request.</param>
public sealed record BulwarkRejectedContext(HttpContext HttpContext, Decision Decision, RequestContext Request);
