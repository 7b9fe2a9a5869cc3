using Bulwark.Core.Decisions;
using Bulwark.Core.Policy;
using Bulwark.Core.Schema;
using Microsoft.Extensions.Logging;

namespace Bulwark.Core;

public sealed partial class BulwarkEngine
{
    /// <summary>
    /// Validates the request against the OpenAPI document when one is configured for its policy: a request that does not
    /// conform is refused before detectors and limits see it (400, or 404/405/413), with the failing JSON pointer in
    /// <see cref="Decision.Schema"/>. In monitor mode the decision is logged, not enforced.
    /// </summary>
    private static Decision? CheckSchema(CompiledConfiguration configuration, CompiledPolicy policy, RequestContext request, ActorKeys actor)
    {
        if (configuration.Schema is not { } schema || !schema.AppliesTo(policy.Name) || schema.Validate(request) is not { } violation)
        {
            return null;
        }

        var detail = violation.Pointer is null ? violation.Detail : $"{violation.Pointer}: {violation.Detail}";
        return new Decision
        {
            Id = DecisionIds.Next(),
            Action = DecisionAction.Block,
            StatusCode = violation.StatusCode,
            ReasonCode = violation.ReasonCode,
            Reasons = [new DecisionReason("schema", 0, detail)],
            Actor = actor,
            Policy = policy.Name,
            Enforced = !policy.Monitor,
            Timestamp = request.Timestamp,
            Schema = violation,
        };
    }

    private void LogSchemaWarnings(CompiledConfiguration configuration)
    {
        if (configuration.Schema is not { } schema)
        {
            return;
        }

        foreach (var warning in schema.Document.Warnings)
        {
            LogSchemaWarning(_logger, schema.Document.Source, warning);
        }
    }

    [LoggerMessage(EventId = 1003, Level = LogLevel.Warning, Message = "OpenAPI document {Source}: {Warning}")]
    private static partial void LogSchemaWarning(ILogger logger, string source, string warning);
}
