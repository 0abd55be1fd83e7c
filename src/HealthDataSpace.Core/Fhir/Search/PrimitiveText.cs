using System.Globalization;
using Hl7.Fhir.Model;
using Task = System.Threading.Tasks.Task;

namespace HealthDataSpace.Core.Fhir.Search;

/// <summary>The literal text of a FHIR primitive (enum codes as their FHIR code, not the .NET name).</summary>
internal static class PrimitiveText
{
    public static string? Of(PrimitiveType primitive) => primitive.JsonValue switch
    {
        null => null,
        string s => s,
        bool b => b ? "true" : "false",
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        var other => other.ToString(),
    };
}
