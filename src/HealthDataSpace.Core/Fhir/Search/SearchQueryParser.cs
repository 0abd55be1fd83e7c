using System.Globalization;
using System.Text;

namespace HealthDataSpace.Core.Fhir.Search;

/// <summary>
/// Parses FHIR search query parameters into a <see cref="SearchQuery"/>, with the spec's token, reference, string,
/// date, number, quantity and uri syntax. Unknown parameters are an error (400) unless the client asked for
/// <c>Prefer: handling=lenient</c>: silently ignoring a misspelt filter would return the wrong patients.
/// </summary>
public sealed class SearchQueryParser(SearchParameterRegistry registry, FhirOptions options)
{
    /// <summary>Most criteria in one search, and most ORed values in one criterion: bounds on the SQL one request can cause.</summary>
    public const int MaxCriteria = 50;
    public const int MaxValuesPerCriterion = 100;

    private static readonly HashSet<string> IgnoredControlParameters = ["_total", "_pretty", "_format"];

    /// <summary>Parses; <paramref name="applied"/> gets the parameters that took effect, for the self link.</summary>
    public SearchQuery Parse(string type, IEnumerable<KeyValuePair<string, string>> parameters, string baseUrl,
        bool lenient, out List<KeyValuePair<string, string>> applied)
    {
        applied = [];
        var criteria = new List<SearchCriterion>();
        var count = options.DefaultPageSize;
        var offset = 0;
        var sort = SearchSort.Default;
        var countOnly = false;
        foreach (var (rawName, value) in parameters)
        {
            var name = rawName.Trim();
            switch (name)
            {
                case "_count":
                    count = Math.Min(ParseNonNegative(name, value), options.MaxPageSize);
                    break;
                case "_offset":
                    offset = ParseNonNegative(name, value);
                    break;
                case "_summary":
                    countOnly = value switch
                    {
                        "count" => true,
                        "false" => false,
                        _ => throw FhirException.NotSupported("_summary supports 'count' and 'false' on searches."),
                    };
                    break;
                case "_sort":
                    sort = ParseSort(value);
                    break;
                case "_format":
                    if (!value.Contains("json", StringComparison.OrdinalIgnoreCase))
                    {
                        throw new FhirException(406, Hl7.Fhir.Model.OperationOutcome.IssueType.NotSupported,
                            "This server answers in FHIR JSON only (application/fhir+json).");
                    }

                    continue;
                default:
                    if (IgnoredControlParameters.Contains(name))
                    {
                        continue;
                    }

                    var criterion = TryParseCriterion(type, name, value, baseUrl, lenient);
                    if (criterion is null)
                    {
                        continue;
                    }

                    criteria.Add(criterion);
                    if (criteria.Count > MaxCriteria)
                    {
                        throw FhirException.BadRequest($"A search may have at most {MaxCriteria} criteria.");
                    }

                    break;
            }

            applied.Add(new KeyValuePair<string, string>(name, value));
        }

        return new SearchQuery(type, criteria, count, offset, sort, countOnly || count == 0);
    }

    private SearchCriterion? TryParseCriterion(string type, string name, string value, string baseUrl, bool lenient)
    {
        var colon = name.IndexOf(':', StringComparison.Ordinal);
        var param = colon < 0 ? name : name[..colon];
        var modifierText = colon < 0 ? null : name[(colon + 1)..];
        if (param.Contains('.', StringComparison.Ordinal) || param.StartsWith("_has", StringComparison.Ordinal)
            || param is "_include" or "_revinclude" or "_elements" or "_contained" or "_containedType" or "_text"
                or "_content" or "_list" or "_query" or "_filter")
        {
            return lenient ? null : throw FhirException.NotSupported($"Search parameter '{name}' is not supported by this server.");
        }

        SearchParamKind kind;
        if (param == "_id")
        {
            kind = SearchParamKind.Token;
        }
        else if (param == "_lastUpdated")
        {
            kind = SearchParamKind.Date;
        }
        else if (registry.TryGet(type, param, out var definition))
        {
            kind = definition.Kind;
        }
        else
        {
            return lenient ? null : throw FhirException.BadRequest(
                $"Unknown search parameter '{param}' for {type}. See GET /fhir/metadata for the supported ones.");
        }

        if (kind == SearchParamKind.Reference && modifierText == "identifier")
        {
            // Reference.identifier is indexed as a token named '{param}:identifier' (see IndexValueConverter).
            param += IndexValueConverter.IdentifierSuffix;
            kind = SearchParamKind.Token;
            modifierText = null;
        }

        var modifier = ParseModifier(kind, modifierText, out var referenceType);
        if (string.IsNullOrEmpty(value))
        {
            throw FhirException.BadRequest($"Search parameter '{name}' has no value.");
        }

        if (modifier == SearchModifier.Missing && SearchParameterRegistry.ColumnParameters.Contains(param))
        {
            throw FhirException.BadRequest($"'{param}' is always present; ':missing' does not apply to it.");
        }

        if (modifier == SearchModifier.Missing)
        {
            var missing = value switch
            {
                "true" => true,
                "false" => false,
                _ => throw FhirException.BadRequest($"'{name}' takes true or false."),
            };
            return new SearchCriterion(param, kind, modifier, [new SearchValue(MissingValue: missing)]);
        }

        var raw = SplitEscaped(value, ',');
        if (raw.Count > MaxValuesPerCriterion)
        {
            throw FhirException.BadRequest($"'{param}' has {raw.Count} values; at most {MaxValuesPerCriterion} may be ORed in one parameter.");
        }

        var values = raw.Select(v => ParseValue(kind, param, modifier, v, referenceType, baseUrl)).ToList();
        return new SearchCriterion(param, kind, modifier, values);
    }

    private static SearchModifier ParseModifier(SearchParamKind kind, string? text, out string? referenceType)
    {
        referenceType = null;
        if (text is null)
        {
            return SearchModifier.None;
        }

        switch (text)
        {
            case "missing":
                return SearchModifier.Missing;
            case "exact" when kind == SearchParamKind.String:
                return SearchModifier.Exact;
            case "contains" when kind == SearchParamKind.String:
                return SearchModifier.Contains;
            case "not" when kind == SearchParamKind.Token:
                return SearchModifier.Not;
            case "below" when kind == SearchParamKind.Uri:
                return SearchModifier.Below;
            case "above" when kind == SearchParamKind.Uri:
                return SearchModifier.Above;
        }

        if (kind == SearchParamKind.Reference && ResourceTypes.IsKnown(text))
        {
            referenceType = text;
            return SearchModifier.None;
        }

        throw FhirException.NotSupported($"Modifier ':{text}' is not supported for {kind.ToString().ToLowerInvariant()} parameters.");
    }

    private static SearchValue ParseValue(SearchParamKind kind, string param, SearchModifier modifier, string raw,
        string? referenceType, string baseUrl)
    {
        switch (kind)
        {
            case SearchParamKind.Token:
                var parts = SplitEscaped(raw, '|');
                return parts.Count switch
                {
                    1 => new SearchValue(Code: Unescape(parts[0])),
                    2 => new SearchValue(System: Unescape(parts[0]), Code: parts[1].Length == 0 ? null : Unescape(parts[1])),
                    _ => throw FhirException.BadRequest($"'{param}' expects [system|]code."),
                };
            case SearchParamKind.String:
                var text = Unescape(raw);
                return new SearchValue(Text: modifier == SearchModifier.Exact ? text : TextNormalizer.Normalize(text));
            case SearchParamKind.Uri:
                return new SearchValue(Text: Unescape(raw));
            case SearchParamKind.Reference:
                return ParseReference(param, Unescape(raw), referenceType, baseUrl);
            case SearchParamKind.Date:
                var (datePrefix, dateText) = SplitPrefix(raw);
                // A '+' time-zone offset arrives as a space when the client did not URL-encode it.
                dateText = dateText.Replace(' ', '+');
                if (!FhirDateRange.TryParse(dateText, out var range))
                {
                    throw FhirException.BadRequest($"'{param}' expects a FHIR date such as 2020, 2020-03 or 2020-03-04T10:00:00Z.");
                }

                return new SearchValue(Prefix: datePrefix, Low: range.Low, High: range.High);
            case SearchParamKind.Number:
                var (numberPrefix, numberText) = SplitPrefix(raw);
                return NumberValue(param, numberPrefix, numberText, null, null);
            case SearchParamKind.Quantity:
                var (quantityPrefix, quantityText) = SplitPrefix(raw);
                var pieces = SplitEscaped(quantityText, '|');
                return pieces.Count switch
                {
                    1 => NumberValue(param, quantityPrefix, pieces[0], null, null),
                    3 => NumberValue(param, quantityPrefix, pieces[0], NullIfEmpty(Unescape(pieces[1])), NullIfEmpty(Unescape(pieces[2]))),
                    _ => throw FhirException.BadRequest($"'{param}' expects [prefix]number[|system|code]."),
                };
            default:
                throw FhirException.NotSupported($"'{param}' cannot be searched.");
        }
    }

    private static SearchValue ParseReference(string param, string value, string? referenceType, string baseUrl)
    {
        var local = value.StartsWith(baseUrl + "/", StringComparison.Ordinal) ? value[(baseUrl.Length + 1)..] : value;
        if (ReferenceParser.TryParse(local, out var type, out var id) && !ReferenceParser.IsAbsolute(local))
        {
            if (referenceType is not null && referenceType != type)
            {
                throw FhirException.BadRequest($"'{param}:{referenceType}' was given a reference to {type}.");
            }

            return new SearchValue(System: type, Code: id);
        }

        if (ReferenceParser.IsAbsolute(local) || local.StartsWith("urn:", StringComparison.OrdinalIgnoreCase))
        {
            return new SearchValue(Text: local);
        }

        if (ReferenceParser.IsValidId(local))
        {
            return new SearchValue(System: referenceType, Code: local);
        }

        throw FhirException.BadRequest($"'{param}' expects a reference such as Patient/123 or an id.");
    }

    private static SearchValue NumberValue(string param, SearchPrefix prefix, string text, string? system, string? code)
    {
        if (!decimal.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var number))
        {
            throw FhirException.BadRequest($"'{param}' expects a number.");
        }

        // Precision is implied by the digits given: 100 means [99.5, 100.5), 100.00 means [99.995, 100.005).
        var decimals = text.Contains('.', StringComparison.Ordinal) && !text.Contains('e', StringComparison.OrdinalIgnoreCase)
            ? text.Length - text.IndexOf('.', StringComparison.Ordinal) - 1
            : 0;
        var half = 0.5 * Math.Pow(10, -decimals);
        var n = (double)number;
        return new SearchValue(Prefix: prefix, System: system, Code: code, Number: n, NumberLow: n - half, NumberHigh: n + half);
    }

    private static (SearchPrefix Prefix, string Remainder) SplitPrefix(string raw)
    {
        if (raw.Length > 2 && char.IsAsciiLetterLower(raw[0]) && char.IsAsciiLetterLower(raw[1]))
        {
            SearchPrefix? prefix = raw[..2] switch
            {
                "eq" => SearchPrefix.Eq,
                "ne" => SearchPrefix.Ne,
                "gt" => SearchPrefix.Gt,
                "lt" => SearchPrefix.Lt,
                "ge" => SearchPrefix.Ge,
                "le" => SearchPrefix.Le,
                "sa" => SearchPrefix.Sa,
                "eb" => SearchPrefix.Eb,
                "ap" => SearchPrefix.Ap,
                _ => null,
            };
            if (prefix is { } p)
            {
                return (p, raw[2..]);
            }
        }

        return (SearchPrefix.Eq, raw);
    }

    private static SearchSort ParseSort(string value) => value switch
    {
        "_lastUpdated" => SearchSort.LastUpdatedAscending,
        "-_lastUpdated" => SearchSort.LastUpdatedDescending,
        "_id" => SearchSort.IdAscending,
        "-_id" => SearchSort.IdDescending,
        _ => throw FhirException.NotSupported("_sort supports _lastUpdated, -_lastUpdated, _id and -_id."),
    };

    private static int ParseNonNegative(string name, string value) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var n)
            ? n
            : throw FhirException.BadRequest($"'{name}' expects a non-negative whole number.");

    /// <summary>Splits on a separator not preceded by a backslash (FHIR's escaping of ',', '|' and '$').</summary>
    internal static List<string> SplitEscaped(string value, char separator)
    {
        var parts = new List<string>();
        var current = new StringBuilder();
        for (var i = 0; i < value.Length; i++)
        {
            if (value[i] == '\\' && i + 1 < value.Length)
            {
                current.Append(value[i]).Append(value[i + 1]);
                i++;
            }
            else if (value[i] == separator)
            {
                parts.Add(current.ToString());
                current.Clear();
            }
            else
            {
                current.Append(value[i]);
            }
        }

        parts.Add(current.ToString());
        return parts;
    }

    private static string Unescape(string value) =>
        value.Replace("\\,", ",", StringComparison.Ordinal).Replace("\\|", "|", StringComparison.Ordinal)
            .Replace("\\$", "$", StringComparison.Ordinal).Replace("\\\\", "\\", StringComparison.Ordinal);

    private static string? NullIfEmpty(string value) => value.Length == 0 ? null : value;
}
