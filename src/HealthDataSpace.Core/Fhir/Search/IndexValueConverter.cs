using System.Globalization;
using Hl7.Fhir.Model;
using Task = System.Threading.Tasks.Task;

namespace HealthDataSpace.Core.Fhir.Search;

/// <summary>
/// Turns the values a search parameter's path selects into index rows, following the FHIR search spec's table of
/// which data types each parameter type matches (e.g. a token matches Coding, CodeableConcept, Identifier,
/// ContactPoint, code and boolean).
/// </summary>
internal static class IndexValueConverter
{
    /// <summary>Suffix of the token rows that index <c>Reference.identifier</c> (see the ':identifier' modifier).</summary>
    public const string IdentifierSuffix = ":identifier";

    public static void Add(SearchParameter parameter, Base value, List<IndexEntry> output)
    {
        switch (parameter.Kind)
        {
            case SearchParamKind.Token:
                AddToken(parameter.Name, value, output);
                break;
            case SearchParamKind.String:
                AddString(parameter.Name, value, output);
                break;
            case SearchParamKind.Reference:
                AddReference(parameter.Name, value, output);
                break;
            case SearchParamKind.Date:
                AddDate(parameter.Name, value, output);
                break;
            case SearchParamKind.Number:
                AddNumber(parameter.Name, value, output);
                break;
            case SearchParamKind.Quantity:
                AddQuantity(parameter.Name, value, output);
                break;
            case SearchParamKind.Uri:
                if (value is PrimitiveType uri && PrimitiveText.Of(uri) is { Length: > 0 } text)
                {
                    output.Add(new IndexEntry(parameter.Name, SearchParamKind.Uri, Text: TextNormalizer.Truncate(text)));
                }

                break;
        }
    }

    private static void AddToken(string param, Base value, List<IndexEntry> output)
    {
        switch (value)
        {
            case Coding coding:
                AddCode(param, coding.System, coding.Code, output);
                break;
            case CodeableConcept concept:
                foreach (var coding in concept.Coding)
                {
                    AddCode(param, coding.System, coding.Code, output);
                }

                break;
            case Identifier identifier:
                AddCode(param, identifier.System, identifier.Value, output);
                break;
            case ContactPoint contact:
                // The spec matches a ContactPoint token on its value only.
                AddCode(param, null, contact.Value, output);
                break;
            case ICoded coded and PrimitiveType:
                // Enum-bound codes (gender, status) carry their code system, so `system|code` search works.
                foreach (var coding in coded.ToCodings())
                {
                    AddCode(param, coding.System, coding.Code, output);
                }

                break;
            case PrimitiveType primitive:
                AddCode(param, null, PrimitiveText.Of(primitive), output);
                break;
        }
    }

    private static void AddCode(string param, string? system, string? code, List<IndexEntry> output)
    {
        if (!string.IsNullOrEmpty(code))
        {
            output.Add(new IndexEntry(param, SearchParamKind.Token, System: NullIfEmpty(system),
                Code: TextNormalizer.Truncate(code)));
        }
    }

    private static void AddString(string param, Base value, List<IndexEntry> output)
    {
        switch (value)
        {
            case HumanName name:
                AddText(param, name.Family, output);
                AddTexts(param, name.Given, output);
                AddTexts(param, name.Prefix, output);
                AddTexts(param, name.Suffix, output);
                AddText(param, name.Text, output);
                break;
            case Address address:
                AddTexts(param, address.Line, output);
                AddText(param, address.City, output);
                AddText(param, address.District, output);
                AddText(param, address.State, output);
                AddText(param, address.PostalCode, output);
                AddText(param, address.Country, output);
                AddText(param, address.Text, output);
                break;
            case PrimitiveType primitive:
                AddText(param, PrimitiveText.Of(primitive), output);
                break;
        }
    }

    private static void AddTexts(string param, IEnumerable<string?> values, List<IndexEntry> output)
    {
        foreach (var v in values)
        {
            AddText(param, v, output);
        }
    }

    private static void AddText(string param, string? text, List<IndexEntry> output)
    {
        if (!string.IsNullOrWhiteSpace(text))
        {
            output.Add(new IndexEntry(param, SearchParamKind.String, Code: TextNormalizer.Normalize(text),
                Text: TextNormalizer.Truncate(text.Trim())));
        }
    }

    private static void AddReference(string param, Base value, List<IndexEntry> output)
    {
        // A logical reference (Reference.identifier) is searchable with the ':identifier' modifier, as a token under
        // its own name, so 'agent:identifier=system|value' finds an AuditEvent agent that is not a FHIR resource.
        if (value is ResourceReference { Identifier: { } identifier })
        {
            AddCode(param + IdentifierSuffix, identifier.System, identifier.Value, output);
        }

        var literal = value switch
        {
            ResourceReference reference => reference.Reference,
            PrimitiveType canonical => PrimitiveText.Of(canonical),
            _ => null,
        };
        if (string.IsNullOrEmpty(literal) || literal[0] == '#')
        {
            return;
        }

        // External references are indexed by URL only: http://other.org/fhir/Patient/1 is not our Patient/1.
        // (References to this server's own base were made relative before storing.)
        if (ReferenceParser.IsAbsolute(literal) || literal.StartsWith("urn:", StringComparison.OrdinalIgnoreCase))
        {
            output.Add(new IndexEntry(param, SearchParamKind.Reference, Text: TextNormalizer.Truncate(literal)));
        }
        else if (ReferenceParser.TryParse(literal, out var type, out var id))
        {
            output.Add(new IndexEntry(param, SearchParamKind.Reference, System: type, Code: id));
        }
    }

    private static void AddDate(string param, Base value, List<IndexEntry> output)
    {
        switch (value)
        {
            case Period period:
                var start = Range(period.Start);
                var end = Range(period.End);
                if (start is not null || end is not null)
                {
                    AddRange(param, FhirDateRange.Span(start, end), output);
                }

                break;
            case Timing timing:
                foreach (var evt in timing.Event)
                {
                    if (Range(evt) is { } r)
                    {
                        AddRange(param, r, output);
                    }
                }

                if (timing.Repeat?.Bounds is Period bounds)
                {
                    AddDate(param, bounds, output);
                }

                break;
            case Instant { Value: { } instant }:
                AddRange(param, FhirDateRange.FromInstant(instant), output);
                break;
            case PrimitiveType primitive when Range(PrimitiveText.Of(primitive)) is { } range:
                AddRange(param, range, output);
                break;
        }
    }

    private static FhirDateRange? Range(string? literal) =>
        FhirDateRange.TryParse(literal, out var range) ? range : null;

    private static void AddRange(string param, FhirDateRange range, List<IndexEntry> output) =>
        output.Add(new IndexEntry(param, SearchParamKind.Date, Low: range.Low, High: range.High));

    private static void AddNumber(string param, Base value, List<IndexEntry> output)
    {
        var number = value switch
        {
            FhirDecimal { Value: { } d } => (double)d,
            Integer { Value: { } i } => i,
            UnsignedInt { Value: { } u } => u,
            PositiveInt { Value: { } p } => p,
            Integer64 { Value: { } l } => l,
            _ => (double?)null,
        };
        if (number is { } n)
        {
            output.Add(new IndexEntry(param, SearchParamKind.Number, Number: n));
        }
    }

    private static void AddQuantity(string param, Base value, List<IndexEntry> output)
    {
        switch (value)
        {
            case Quantity { Value: { } amount } quantity:
                output.Add(new IndexEntry(param, SearchParamKind.Quantity, System: NullIfEmpty(quantity.System),
                    Code: NullIfEmpty(quantity.Code) ?? NullIfEmpty(quantity.Unit), Number: (double)amount));
                break;
            case Money { Value: { } money } cash:
                output.Add(new IndexEntry(param, SearchParamKind.Quantity, System: "urn:iso:std:iso:4217",
                    Code: cash.Currency?.ToString(), Number: (double)money));
                break;
            case SampledData or Hl7.Fhir.Model.Range:
                break;
            case PrimitiveType primitive when double.TryParse(PrimitiveText.Of(primitive), NumberStyles.Float,
                CultureInfo.InvariantCulture, out var n):
                output.Add(new IndexEntry(param, SearchParamKind.Quantity, Number: n));
                break;
        }
    }

    private static string? NullIfEmpty(string? s) => string.IsNullOrEmpty(s) ? null : s;
}
