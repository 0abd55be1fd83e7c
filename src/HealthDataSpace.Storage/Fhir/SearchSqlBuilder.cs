using System.Globalization;
using System.Text;
using HealthDataSpace.Core.Fhir.Search;

namespace HealthDataSpace.Storage.Fhir;

/// <summary>
/// Translates a <see cref="SearchQuery"/> into SQL shared by both dialects. Each criterion becomes
/// <c>r.rid IN (SELECT rid FROM idx_… WHERE …)</c>, which both planners answer from the covering index.
/// Matching follows the FHIR search spec; see docs/fhir-api.md for the exact semantics.
/// </summary>
internal sealed class SearchSqlBuilder
{
    private readonly SearchQuery query;
    private readonly List<(string Name, object? Value)> parameters = [];
    private readonly string where;
    private readonly bool prefixByRange;

    public SearchSqlBuilder(SearchQuery query, string? ownerFilter, bool prefixByRange)
    {
        this.query = query;
        this.prefixByRange = prefixByRange;
        var sql = new StringBuilder("r.res_type = ").Append(Add(query.ResourceType)).Append(" AND r.deleted = 0");
        if (ownerFilter is not null)
        {
            sql.Append(" AND r.owner = ").Append(Add(ownerFilter));
        }

        foreach (var criterion in query.Criteria)
        {
            sql.Append(" AND ").Append(Criterion(criterion));
        }

        where = sql.ToString();
    }

    public IReadOnlyList<(string Name, object? Value)> Parameters => parameters;

    public string CountSql => $"SELECT COUNT(*) FROM fhir_resources r WHERE {where}";

    public string PageSql(string columns)
    {
        var order = query.Sort switch
        {
            SearchSort.LastUpdatedAscending => "r.last_updated, r.rid",
            SearchSort.LastUpdatedDescending => "r.last_updated DESC, r.rid DESC",
            SearchSort.IdAscending => "r.res_id",
            SearchSort.IdDescending => "r.res_id DESC",
            _ => "r.rid",
        };
        return $"SELECT {columns} FROM fhir_resources r JOIN fhir_versions v ON v.rid = r.rid AND v.version = r.version " +
               $"WHERE {where} ORDER BY {order} LIMIT {query.Count.ToString(CultureInfo.InvariantCulture)} " +
               $"OFFSET {query.Offset.ToString(CultureInfo.InvariantCulture)}";
    }

    private string Criterion(SearchCriterion criterion)
    {
        if (criterion.Param == "_id")
        {
            var ids = string.Join(", ", criterion.Values.Select(v => Add(v.Code)));
            return criterion.Modifier == SearchModifier.Not ? $"r.res_id NOT IN ({ids})" : $"r.res_id IN ({ids})";
        }

        if (criterion.Param == "_lastUpdated")
        {
            return Or(criterion.Values.Select(v => DateCondition("r.last_updated", "r.last_updated + 1", v)));
        }

        var table = FhirSchema.IndexTables[criterion.Kind];
        var scope = $"SELECT rid FROM {table} WHERE res_type = {Add(query.ResourceType)} AND param = {Add(criterion.Param)}";
        switch (criterion.Modifier)
        {
            case SearchModifier.Missing:
                return criterion.Values[0].MissingValue ? $"r.rid NOT IN ({scope})" : $"r.rid IN ({scope})";
            case SearchModifier.Not:
                return $"r.rid NOT IN ({scope} AND {Or(criterion.Values.Select(v => ValueCondition(criterion, v)))})";
            default:
                return Or(criterion.Values.Select(v => $"r.rid IN ({scope} AND {ValueCondition(criterion, v)})"));
        }
    }

    private string ValueCondition(SearchCriterion criterion, SearchValue v) => criterion.Kind switch
    {
        SearchParamKind.Token => TokenCondition(v),
        SearchParamKind.String => criterion.Modifier switch
        {
            SearchModifier.Exact => $"exact = {Add(v.Text)}",
            SearchModifier.Contains => $"norm LIKE {Add("%" + EscapeLike(v.Text!) + "%")} ESCAPE '\\'",
            _ => PrefixCondition("norm", v.Text!),
        },
        SearchParamKind.Reference => v.Code is not null
            ? (v.System is null ? $"target_id = {Add(v.Code)}" : $"target_id = {Add(v.Code)} AND target_type = {Add(v.System)}")
            : $"url = {Add(v.Text)}",
        SearchParamKind.Date => DateCondition("lo", "hi", v),
        SearchParamKind.Number => NumberCondition(v),
        SearchParamKind.Quantity => QuantityCondition(v),
        SearchParamKind.Uri => criterion.Modifier switch
        {
            SearchModifier.Below => $"uri LIKE {Add(EscapeLike(v.Text!) + "%")} ESCAPE '\\'",
            SearchModifier.Above => $"{Add(v.Text)} LIKE uri || '%'",
            _ => $"uri = {Add(v.Text)}",
        },
        _ => throw new InvalidOperationException($"No condition for {criterion.Kind}."),
    };

    private string TokenCondition(SearchValue v)
    {
        var code = v.Code is null ? null : $"code = {Add(v.Code)}";
        var system = v.System switch
        {
            null => null,
            "" => "sys IS NULL",
            _ => $"sys = {Add(v.System)}",
        };
        return (code, system) switch
        {
            (null, null) => "1 = 1",
            (null, _) => system!,
            (_, null) => code,
            _ => $"{code} AND {system}",
        };
    }

    /// <summary>The spec's prefix semantics over ranges: the target [lo, hi) against the searched [Low, High).</summary>
    private string DateCondition(string lo, string hi, SearchValue v)
    {
        var low = Add(v.Low);
        var high = Add(v.High);
        var contained = $"({lo} >= {low} AND {hi} <= {high})";
        switch (v.Prefix)
        {
            case SearchPrefix.Eq:
                return contained;
            case SearchPrefix.Ne:
                return $"NOT {contained}";
            case SearchPrefix.Gt:
                return $"{hi} > {high}";
            case SearchPrefix.Lt:
                return $"{lo} < {low}";
            case SearchPrefix.Ge:
                return $"({hi} > {high} OR {contained})";
            case SearchPrefix.Le:
                return $"({lo} < {low} OR {contained})";
            case SearchPrefix.Sa:
                return $"{lo} >= {high}";
            case SearchPrefix.Eb:
                return $"{hi} <= {low}";
            default:
                // Approximately: the searched range widened by 10% of its distance from now, overlapping the target.
                var now = DateTime.UtcNow.Ticks;
                var widen = Math.Max(TimeSpan.TicksPerDay, Math.Abs(now - v.Low) / 10);
                return $"({lo} < {Add(SafeAdd(v.High, widen))} AND {hi} > {Add(SafeAdd(v.Low, -widen))})";
        }
    }

    private string NumberCondition(SearchValue v) => v.Prefix switch
    {
        SearchPrefix.Eq => $"(num >= {Add(v.NumberLow)} AND num < {Add(v.NumberHigh)})",
        SearchPrefix.Ne => $"NOT (num >= {Add(v.NumberLow)} AND num < {Add(v.NumberHigh)})",
        SearchPrefix.Gt or SearchPrefix.Sa => $"num > {Add(v.Number)}",
        SearchPrefix.Lt or SearchPrefix.Eb => $"num < {Add(v.Number)}",
        SearchPrefix.Ge => $"num >= {Add(v.Number)}",
        SearchPrefix.Le => $"num <= {Add(v.Number)}",
        _ => $"(num >= {Add(Math.Min(v.Number * 0.9, v.Number * 1.1))} AND num <= {Add(Math.Max(v.Number * 0.9, v.Number * 1.1))})",
    };

    private string QuantityCondition(SearchValue v)
    {
        var condition = NumberCondition(v);
        if (v.System is not null)
        {
            condition += $" AND sys = {Add(v.System)}";
        }

        if (v.Code is not null)
        {
            condition += $" AND code = {Add(v.Code)}";
        }

        return condition;
    }

    /// <summary>A prefix match the dialect's index can answer; see <see cref="SqlDialect.PrefixSearchByRange"/>.</summary>
    private string PrefixCondition(string column, string prefix)
    {
        var last = prefix.Length == 0 ? '\0' : prefix[^1];
        if (prefixByRange && prefix.Length > 0 && last < char.MaxValue && !char.IsSurrogate(last) && !char.IsSurrogate((char)(last + 1)))
        {
            // Binary order: every string starting with "abc" lies in ["abc", "abd").
            var upper = string.Concat(prefix.AsSpan(0, prefix.Length - 1), ((char)(last + 1)).ToString());
            return $"({column} >= {Add(prefix)} AND {column} < {Add(upper)})";
        }

        return $"{column} LIKE {Add(EscapeLike(prefix) + "%")} ESCAPE '\\'";
    }

    private static string Or(IEnumerable<string> conditions)
    {
        var list = conditions.ToList();
        return list.Count == 1 ? list[0] : "(" + string.Join(" OR ", list) + ")";
    }

    private static string EscapeLike(string value) =>
        value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("%", "\\%", StringComparison.Ordinal)
            .Replace("_", "\\_", StringComparison.Ordinal);

    private static long SafeAdd(long ticks, long delta) =>
        Math.Clamp(ticks + delta, DateTime.MinValue.Ticks, DateTime.MaxValue.Ticks);

    private string Add(object? value)
    {
        var name = "s" + parameters.Count.ToString(CultureInfo.InvariantCulture);
        parameters.Add((name, value));
        return "@" + name;
    }
}
