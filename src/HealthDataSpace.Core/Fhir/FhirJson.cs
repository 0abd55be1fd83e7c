using System.Text.Json;
using System.Text.RegularExpressions;
using Hl7.Fhir.Model;
using Task = System.Threading.Tasks.Task;
using Hl7.Fhir.Serialization;
using Hl7.Fhir.Utility;

namespace HealthDataSpace.Core.Fhir;

/// <summary>
/// Strict FHIR R4 JSON parsing and serialisation (Firely SDK 6). Strict means unknown elements, bad literals,
/// wrong codes and missing mandatory elements are all refused, so nothing invalid ever reaches the store.
/// </summary>
public static partial class FhirJson
{
    private static readonly FhirJsonDeserializer Deserializer = new(new DeserializerSettings());

    /// <summary>Parses one resource, or throws a 400 <see cref="FhirException"/> listing every problem found.</summary>
    public static Resource ParseResource(ReadOnlySpan<byte> utf8Json)
    {
        if (utf8Json.IsEmpty)
        {
            throw FhirException.BadRequest("The request body is empty; a FHIR resource in JSON was expected.");
        }

        try
        {
            var reader = new Utf8JsonReader(utf8Json, new JsonReaderOptions { MaxDepth = 128 });
            return Deserializer.DeserializeResource(ref reader);
        }
        catch (DeserializationFailedException e)
        {
            var details = e.Exceptions.Select(Describe).Distinct().Take(50).ToList();
            throw new FhirException(400, OperationOutcome.IssueType.Structure,
                $"The body is not a valid FHIR R4 resource ({details.Count} problem(s)).")
            { Details = details };
        }
        catch (JsonException e)
        {
            throw new FhirException(400, OperationOutcome.IssueType.Structure,
                $"The body is not well-formed JSON (line {e.LineNumber + 1}, byte {e.BytePositionInLine}).");
        }
        catch (Exception e) when (e is InvalidOperationException or FormatException or ArgumentException)
        {
            throw new FhirException(400, OperationOutcome.IssueType.Structure,
                "The body is not a FHIR resource: a JSON object with a resourceType was expected.");
        }
    }

    /// <summary>Parses a resource and checks it is of the type the URL names.</summary>
    public static Resource ParseResource(ReadOnlySpan<byte> utf8Json, string expectedType)
    {
        var resource = ParseResource(utf8Json);
        if (!string.Equals(resource.TypeName, expectedType, StringComparison.Ordinal))
        {
            throw FhirException.BadRequest(
                $"The body is a {resource.TypeName} but the URL is for {expectedType}.");
        }

        return resource;
    }

    public static string Serialize(Resource resource) => resource.ToJson();

    /// <summary>
    /// Describes a parse problem by its code, path and position. Quoted text in Firely's messages can be the
    /// offending value itself (a name typed into a date, say), so it is blanked out: errors never echo data.
    /// </summary>
    internal static string Describe(CodedException error)
    {
        if (error is ExtendedCodedException extended)
        {
            var text = QuotedText().Replace(extended.BaseErrorMessage, "'…'");
            var where = string.IsNullOrEmpty(extended.InstancePath) ? string.Empty : $" at {extended.InstancePath}";
            return $"{error.ErrorCode}: {text}{where} (line {extended.LineNumber}, position {extended.Position})";
        }

        return $"{error.ErrorCode}: invalid content";
    }

    [GeneratedRegex("'[^']*'")]
    private static partial Regex QuotedText();
}
