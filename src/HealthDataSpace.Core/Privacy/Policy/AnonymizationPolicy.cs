using System.Globalization;
using System.Text.Json;

namespace HealthDataSpace.Core.Privacy;

/// <summary>
/// An anonymization policy in the configuration format of Microsoft's FHIR anonymizer (FHIR R4 tool):
/// <c>fhirVersion</c>, <c>processingErrors</c>, <c>fhirPathRules</c> and <c>parameters</c>. Its files load unchanged.
/// Loading checks structure, methods, paths (FHIRPath syntax) and method settings; keys are checked when the policy is
/// bound to a pseudonym domain (see <see cref="AnonymizationEngine"/>).
/// </summary>
public sealed class AnonymizationPolicy
{
    private const string DefaultResourceName = "HealthDataSpace.Core.Privacy.Policy.DefaultResearchPolicy.json";
    private static readonly Lazy<AnonymizationPolicy> LazyDefault = new(LoadDefault, LazyThreadSafetyMode.ExecutionAndPublication);

    private AnonymizationPolicy(string? fhirVersion, ProcessingErrorsMode processingErrors, IReadOnlyList<PolicyRule> rules, PolicyParameters parameters)
    {
        FhirVersion = fhirVersion;
        ProcessingErrors = processingErrors;
        Rules = rules;
        Parameters = parameters;
    }

    public string? FhirVersion { get; }

    public ProcessingErrorsMode ProcessingErrors { get; }

    public IReadOnlyList<PolicyRule> Rules { get; }

    public PolicyParameters Parameters { get; }

    /// <summary>The shipped research policy (docs/pseudonymisation.md explains each rule).</summary>
    public static AnonymizationPolicy DefaultResearch => LazyDefault.Value;

    public static AnonymizationPolicy LoadFile(string path)
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new PolicyException($"The policy file '{path}' cannot be read: {e.Message}", e);
        }

        return Parse(bytes);
    }

    public static AnonymizationPolicy Parse(string json) => Parse(System.Text.Encoding.UTF8.GetBytes(json));

    public static AnonymizationPolicy Parse(ReadOnlySpan<byte> utf8Json)
    {
        JsonDocument document;
        try
        {
            var reader = new Utf8JsonReader(utf8Json, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
            document = JsonDocument.ParseValue(ref reader);
        }
        catch (JsonException e)
        {
            throw new PolicyException(string.Create(CultureInfo.InvariantCulture,
                $"The policy is not well-formed JSON (line {e.LineNumber + 1}, byte {e.BytePositionInLine})."), e);
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw new PolicyException("The policy must be a JSON object with fhirVersion, fhirPathRules and parameters.");
            }

            var fhirVersion = ReadFhirVersion(root);
            var processingErrors = ReadProcessingErrors(root);
            var rules = ReadRules(root);
            var parameters = PolicyParametersReader.Read(root);
            return new AnonymizationPolicy(fhirVersion, processingErrors, rules, parameters);
        }
    }

    internal static bool TryGetProperty(JsonElement obj, string name, out JsonElement value)
    {
        // The anonymizer reads its configuration with Newtonsoft, which matches property names case-insensitively.
        foreach (var property in obj.EnumerateObject())
        {
            if (string.Equals(property.Name, name, StringComparison.OrdinalIgnoreCase))
            {
                value = property.Value;
                return true;
            }
        }

        value = default;
        return false;
    }

    private static string? ReadFhirVersion(JsonElement root)
    {
        if (!TryGetProperty(root, "fhirVersion", out var version) || version.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        var text = version.ValueKind == JsonValueKind.String ? version.GetString() : null;
        if (string.IsNullOrEmpty(text))
        {
            return null;
        }

        return string.Equals(text, "R4", StringComparison.OrdinalIgnoreCase)
            ? text
            : throw new PolicyException($"fhirVersion '{text}' is not supported; this engine reads FHIR R4 (\"R4\", or leave it empty).");
    }

    private static ProcessingErrorsMode ReadProcessingErrors(JsonElement root)
    {
        if (!TryGetProperty(root, "processingErrors", out var mode) || mode.ValueKind == JsonValueKind.Null)
        {
            return ProcessingErrorsMode.Raise;
        }

        return mode.ValueKind == JsonValueKind.String ? mode.GetString()?.ToUpperInvariant() switch
        {
            "RAISE" => ProcessingErrorsMode.Raise,
            "SKIP" => ProcessingErrorsMode.Skip,
            // Later anonymizer releases name the same behaviour IgnoreInvalid.
            "IGNOREINVALID" => ProcessingErrorsMode.Skip,
            _ => throw new PolicyException("processingErrors must be 'raise' or 'skip'. ('keep' is refused: keeping a resource that could not be processed would pass its identifiers through.)"),
        }
        : throw new PolicyException("processingErrors must be the string 'raise' or 'skip'.");
    }

    private static List<PolicyRule> ReadRules(JsonElement root)
    {
        if (!TryGetProperty(root, "fhirPathRules", out var rulesElement) || rulesElement.ValueKind != JsonValueKind.Array)
        {
            throw new PolicyException("The policy has no fhirPathRules array; give at least an empty list.");
        }

        var rules = new List<PolicyRule>();
        var index = 0;
        foreach (var ruleElement in rulesElement.EnumerateArray())
        {
            rules.Add(PolicyRuleReader.Read(index++, ruleElement));
        }

        return rules;
    }

    private static AnonymizationPolicy LoadDefault()
    {
        using var stream = typeof(AnonymizationPolicy).Assembly.GetManifestResourceStream(DefaultResourceName)
            ?? throw new InvalidOperationException($"The embedded default policy '{DefaultResourceName}' is missing from the build.");
        using var memory = new MemoryStream();
        stream.CopyTo(memory);
        return Parse(memory.ToArray());
    }
}
