using System.Globalization;
using Hl7.Fhir.FhirPath;
using Hl7.Fhir.Model;
using Hl7.FhirPath;

namespace HealthDataSpace.Core.Privacy;

/// <summary>
/// The generalize method: the first case whose FHIRPath condition holds for the value replaces it with that case's
/// FHIRPath result; no case → otherValues (redact by default). Only primitives can be generalized.
/// </summary>
internal static class Generalization
{
    public static ProcessedOperations Apply(FhirNode node, CompiledRule rule)
    {
        if (!node.Type.IsPrimitive)
        {
            throw new AnonymizationProcessingException(
                $"{rule.Rule.Describe()}: generalize applies only to primitive elements, not to {node.InstanceType}.");
        }

        if (node.Value is null)
        {
            return ProcessedOperations.None;
        }

        var settings = rule.Generalize!;
        var focus = PocoNode.ForPrimitive(ToPrimitive(node));
        var context = new FhirEvaluationContext();
        foreach (var generalizeCase in settings.Cases)
        {
            try
            {
                if (generalizeCase.Condition.Predicate(focus, context))
                {
                    node.Value = FormatScalar(generalizeCase.Value.Scalar(focus, context));
                    return ProcessedOperations.Generalize;
                }
            }
            catch (Exception e) when (e is not (OutOfMemoryException or AnonymizationProcessingException))
            {
                throw new AnonymizationProcessingException($"{rule.Rule.Describe()}: a case failed on a {node.InstanceType} value ({e.GetType().Name}).", e);
            }
        }

        if (settings.RedactOthers)
        {
            node.Value = null;
        }

        return ProcessedOperations.Generalize;
    }

    private static PrimitiveType ToPrimitive(FhirNode node)
    {
        var value = node.Value!;
        return node.InstanceType switch
        {
            "boolean" => new FhirBoolean(value == "true"),
            "integer" => new Integer(int.Parse(value, CultureInfo.InvariantCulture)),
            "positiveInt" => new PositiveInt(int.Parse(value, CultureInfo.InvariantCulture)),
            "unsignedInt" => new UnsignedInt(int.Parse(value, CultureInfo.InvariantCulture)),
            "decimal" => new FhirDecimal(decimal.Parse(value, NumberStyles.Float, CultureInfo.InvariantCulture)),
            "date" => new Date(value),
            "dateTime" => new FhirDateTime(value),
            "instant" => new Instant(DateTimeOffset.Parse(value, CultureInfo.InvariantCulture)),
            "time" => new Time(value),
            "code" => new Code(value),
            "uri" => new FhirUri(value),
            "id" => new Id(value),
            _ => new FhirString(value),
        };
    }

    private static string? FormatScalar(object? value) => value switch
    {
        null => null,
        bool flag => flag ? "true" : "false",
        decimal number => number.ToString(CultureInfo.InvariantCulture),
        IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString(),
    };
}
