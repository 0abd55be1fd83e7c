using System.Text.Json;

namespace HealthDataSpace.Core.Privacy;

/// <summary>The quasi-identifiers the k-anonymity gate knows.</summary>
public static class QuasiIdentifiers
{
    public const string BirthYearBand = "birthYearBand";
    public const string Gender = "gender";
    public const string PostalRegion = "postalRegion";

    public static IReadOnlyList<string> All { get; } = [BirthYearBand, Gender, PostalRegion];
}

/// <summary>
/// One patient as the k-anonymity gate sees it: an id and three small values, so an export can stream millions of
/// patients through it without holding resources. A missing value (a birth year removed as over 89, no address) is
/// a category of its own.
/// </summary>
public readonly record struct QuasiIdentifierRecord(string RecordId, int? BirthYear, string? Gender, string? PostalCode)
{
    /// <summary>Reads id, birth year, gender and the first postal code from a FHIR Patient in JSON.</summary>
    public static QuasiIdentifierRecord FromPatientJson(ReadOnlySpan<byte> patientJson)
    {
        var reader = new Utf8JsonReader(patientJson);
        using var document = JsonDocument.ParseValue(ref reader);
        var patient = document.RootElement;
        string? Text(JsonElement element, string name) =>
            element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

        var birthDate = Text(patient, "birthDate");
        int? year = birthDate is { Length: >= 4 } && int.TryParse(birthDate.AsSpan(0, 4), out var parsed) ? parsed : null;
        string? postalCode = null;
        if (patient.TryGetProperty("address", out var addresses) && addresses.ValueKind == JsonValueKind.Array)
        {
            postalCode = addresses.EnumerateArray().Select(a => Text(a, "postalCode")).FirstOrDefault(p => p is not null);
        }

        return new QuasiIdentifierRecord(Text(patient, "id") ?? string.Empty, year, Text(patient, "gender"), postalCode);
    }
}
