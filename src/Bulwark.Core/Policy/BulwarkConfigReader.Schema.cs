using Bulwark.Core.Schema;
using Microsoft.Extensions.Configuration;

namespace Bulwark.Core.Policy;

public static partial class BulwarkConfigReader
{
    private static readonly string[] SchemaKeys = ["Document", "RejectUndefinedRoutes", "Policies"];

    private sealed partial class Walker
    {
        private SchemaOptions ReadSchema(IConfigurationSection section, string path)
        {
            var o = new SchemaOptions();
            foreach (var (key, child, p) in Fields(section, path, SchemaKeys, "the schema validation settings"))
            {
                o = key switch
                {
                    "Document" => o with { Document = NullIfEmpty(String(child, p)) },
                    "RejectUndefinedRoutes" => o with { RejectUndefinedRoutes = Bool(child, p) ?? o.RejectUndefinedRoutes },
                    "Policies" => o with { Policies = StringList(child, p) ?? o.Policies },
                    _ => o,
                };
            }

            return o;
        }
    }
}
