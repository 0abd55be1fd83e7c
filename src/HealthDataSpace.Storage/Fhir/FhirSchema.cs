using HealthDataSpace.Core.Fhir.Search;

namespace HealthDataSpace.Storage.Fhir;

/// <summary>
/// The FHIR store's tables, written once for both dialects: <c>{id}</c> is the surrogate key column definition and
/// <c>{big}</c> the 64-bit integer type. Resources are addressed by (type, id); every version keeps its JSON; search
/// rows live in one table per parameter type and point at the resource's surrogate key. The audit chain's links and
/// its sealed anchor (one row) sit beside them, so an AuditEvent and its link commit in one transaction.
/// </summary>
internal static class FhirSchema
{
    public const string Template = """
        CREATE TABLE IF NOT EXISTS fhir_resources (
            rid {id},
            res_type TEXT NOT NULL,
            res_id TEXT NOT NULL,
            version {big} NOT NULL,
            owner TEXT NOT NULL,
            last_updated {big} NOT NULL,
            deleted INTEGER NOT NULL,
            UNIQUE (res_type, res_id));
        CREATE INDEX IF NOT EXISTS ix_fhir_resources_owner ON fhir_resources (owner, res_type);
        CREATE INDEX IF NOT EXISTS ix_fhir_resources_updated ON fhir_resources (res_type, last_updated);
        CREATE INDEX IF NOT EXISTS ix_fhir_resources_scan ON fhir_resources (res_type, rid);
        CREATE TABLE IF NOT EXISTS fhir_versions (
            rid {big} NOT NULL,
            version {big} NOT NULL,
            last_updated {big} NOT NULL,
            method TEXT NOT NULL,
            json TEXT NULL,
            PRIMARY KEY (rid, version));
        CREATE TABLE IF NOT EXISTS idx_token (rid {big} NOT NULL, res_type TEXT NOT NULL, param TEXT NOT NULL, sys TEXT NULL, code TEXT NOT NULL);
        CREATE INDEX IF NOT EXISTS ix_idx_token ON idx_token (res_type, param, code, sys, rid);
        CREATE INDEX IF NOT EXISTS ix_idx_token_rid ON idx_token (rid);
        CREATE TABLE IF NOT EXISTS idx_string (rid {big} NOT NULL, res_type TEXT NOT NULL, param TEXT NOT NULL, norm TEXT NOT NULL, exact TEXT NOT NULL);
        CREATE INDEX IF NOT EXISTS ix_idx_string ON idx_string (res_type, param, norm {pattern}, rid);
        CREATE INDEX IF NOT EXISTS ix_idx_string_rid ON idx_string (rid);
        CREATE TABLE IF NOT EXISTS idx_reference (rid {big} NOT NULL, res_type TEXT NOT NULL, param TEXT NOT NULL, target_type TEXT NULL, target_id TEXT NULL, url TEXT NULL);
        CREATE INDEX IF NOT EXISTS ix_idx_reference ON idx_reference (res_type, param, target_id, target_type, rid);
        CREATE INDEX IF NOT EXISTS ix_idx_reference_url ON idx_reference (res_type, param, url);
        CREATE INDEX IF NOT EXISTS ix_idx_reference_rid ON idx_reference (rid);
        CREATE TABLE IF NOT EXISTS idx_date (rid {big} NOT NULL, res_type TEXT NOT NULL, param TEXT NOT NULL, lo {big} NOT NULL, hi {big} NOT NULL);
        CREATE INDEX IF NOT EXISTS ix_idx_date ON idx_date (res_type, param, lo, hi, rid);
        CREATE INDEX IF NOT EXISTS ix_idx_date_rid ON idx_date (rid);
        CREATE TABLE IF NOT EXISTS idx_number (rid {big} NOT NULL, res_type TEXT NOT NULL, param TEXT NOT NULL, num {double} NOT NULL);
        CREATE INDEX IF NOT EXISTS ix_idx_number ON idx_number (res_type, param, num, rid);
        CREATE INDEX IF NOT EXISTS ix_idx_number_rid ON idx_number (rid);
        CREATE TABLE IF NOT EXISTS idx_quantity (rid {big} NOT NULL, res_type TEXT NOT NULL, param TEXT NOT NULL, num {double} NOT NULL, sys TEXT NULL, code TEXT NULL);
        CREATE INDEX IF NOT EXISTS ix_idx_quantity ON idx_quantity (res_type, param, num, rid);
        CREATE INDEX IF NOT EXISTS ix_idx_quantity_rid ON idx_quantity (rid);
        CREATE TABLE IF NOT EXISTS idx_uri (rid {big} NOT NULL, res_type TEXT NOT NULL, param TEXT NOT NULL, uri TEXT NOT NULL);
        CREATE INDEX IF NOT EXISTS ix_idx_uri ON idx_uri (res_type, param, uri {pattern}, rid);
        CREATE INDEX IF NOT EXISTS ix_idx_uri_rid ON idx_uri (rid);
        CREATE TABLE IF NOT EXISTS audit_chain (seq {big} NOT NULL PRIMARY KEY, res_id TEXT NOT NULL, version {big} NOT NULL, prev_hash TEXT NOT NULL, hash TEXT NOT NULL);
        CREATE TABLE IF NOT EXISTS change_feed (feed TEXT NOT NULL, seq {big} NOT NULL, res_id TEXT NOT NULL, PRIMARY KEY (feed, seq));
        CREATE TABLE IF NOT EXISTS audit_anchor (id INTEGER NOT NULL PRIMARY KEY, seq {big} NOT NULL, hash TEXT NOT NULL, mac TEXT NOT NULL)
        """;

    /// <summary>The index table of each search parameter kind: the one place that pairs them.</summary>
    public static readonly IReadOnlyDictionary<SearchParamKind, string> IndexTables = new Dictionary<SearchParamKind, string>
    {
        [SearchParamKind.Token] = "idx_token",
        [SearchParamKind.String] = "idx_string",
        [SearchParamKind.Reference] = "idx_reference",
        [SearchParamKind.Date] = "idx_date",
        [SearchParamKind.Number] = "idx_number",
        [SearchParamKind.Quantity] = "idx_quantity",
        [SearchParamKind.Uri] = "idx_uri",
    };

    public static string Render(string id, string big, string dbl, string pattern) =>
        Template.Replace("{id}", id, StringComparison.Ordinal).Replace("{big}", big, StringComparison.Ordinal)
            .Replace("{double}", dbl, StringComparison.Ordinal).Replace("{pattern}", pattern, StringComparison.Ordinal);
}
