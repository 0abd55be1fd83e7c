using HealthDataSpace.Core.Fhir;
using Hl7.Fhir.Model;

namespace HealthDataSpace.Tests.Common;

/// <summary>The Synthea bundles in shared/data (see its README): read-only, parsed fresh for every use.</summary>
public static class SyntheaData
{
    public static string PatientsFolder => Path.Combine(RepositoryPaths.SharedData, "synthea", "patients");

    public static string HospitalFolder => Path.Combine(RepositoryPaths.SharedData, "synthea", "hospital");

    public static Bundle Load(string path) => (Bundle)FhirJson.ParseResource(File.ReadAllBytes(path));

    /// <summary>The hospital folder's organisation and practitioner batch bundles, which patient bundles reference.</summary>
    public static IEnumerable<string> HospitalInformationFiles =>
        Directory.GetFiles(HospitalFolder, "*Information*.json").Order(StringComparer.Ordinal);

    public static IEnumerable<string> HospitalPatientFiles =>
        Directory.GetFiles(HospitalFolder, "*.json").Where(f => !Path.GetFileName(f).Contains("Information", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal);

    public static IEnumerable<string> PatientFiles => Directory.GetFiles(PatientsFolder, "*.json").Order(StringComparer.Ordinal);

    /// <summary>The smallest patient bundle, for tests that need one realistic bundle fast.</summary>
    public static string SmallestPatientFile => PatientFiles.OrderBy(f => new FileInfo(f).Length).First();
}
