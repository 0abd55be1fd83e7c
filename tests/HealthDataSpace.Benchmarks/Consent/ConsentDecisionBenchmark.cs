using System.CommandLine;
using System.Globalization;
using System.Text;
using BenchmarkDotNet.Attributes;
using HealthDataSpace.Benchmarks.Infrastructure;
using HealthDataSpace.Core.Consent;
using HealthDataSpace.Core.Fhir;

namespace HealthDataSpace.Benchmarks.Consent;

/// <summary>
/// <c>consent</c> (issue 4): <see cref="ConsentIndex.Evaluate"/> per operation over 10,000 indexed patients, each with
/// a nested research consent and a treatment privacy consent; the requests vary patient, purpose, actor, resource
/// type, security labels and recording date so every branch of the provision tree is taken. BenchmarkDotNet, short
/// job, in-process (the generated project would not build under central package management).
/// </summary>
[MemoryDiagnoser]
public class ConsentDecisionBenchmark
{
    private const int Patients = 10_000;
    private const int Requests = 4096;

    private ConsentIndex _index = null!;
    private ConsentDecisionRequest[] _requests = null!;

    public static Command CreateCommand()
    {
        var command = new Command("consent", "Consent decisions per second over 10,000 indexed patients (issue 4), BenchmarkDotNet short run.");
        command.SetAction(_ => MicroBenchmark.Run<ConsentDecisionBenchmark>(summary =>
        {
            foreach (var report in summary.Reports)
            {
                if (report.ResultStatistics is { } stats)
                {
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"consent: {stats.Mean:F1} ns per decision = {1e9 / stats.Mean:N0} decisions/s on one thread"));
                }
            }
        }));
        return command;
    }

    [GlobalSetup]
    public void Setup()
    {
        _index = new ConsentIndex(new ConsentDefaults(new Dictionary<string, ConsentDefault>
        {
            ["HRESCH"] = ConsentDefault.OptIn,
            ["TREAT"] = ConsentDefault.OptOut,
        }));
        for (var p = 0; p < Patients; p++)
        {
            var patient = string.Create(CultureInfo.InvariantCulture, $"Patient/p{p}");
            _index.Upsert(string.Create(CultureInfo.InvariantCulture, $"r{p}"), 1, Parse(ResearchConsent(patient, p % 10 == 0 ? "inactive" : "active")));
            _index.Upsert(string.Create(CultureInfo.InvariantCulture, $"t{p}"), 1, Parse(TreatmentConsent(patient)));
        }

        var random = new Random(42);
        string[] actors = ["ResearchStudy/cardio", "ResearchStudy/psych", "ResearchStudy/other", "Organization/hospital"];
        string[] types = ["Observation", "Condition", "MedicationRequest"];
        string[]?[] labels = [null, ["http://terminology.hl7.org/CodeSystem/v3-ActCode|PSY"], ["http://terminology.hl7.org/CodeSystem/v3-Confidentiality|N"]];
        var at = new DateTimeOffset(2025, 3, 1, 12, 0, 0, TimeSpan.Zero);
        _requests = new ConsentDecisionRequest[Requests];
        for (var i = 0; i < Requests; i++)
        {
            // One in twenty asks about a patient the index does not hold (the regional default answers).
            var patient = string.Create(CultureInfo.InvariantCulture, $"Patient/p{random.Next(Patients + Patients / 20)}");
            _requests[i] = new ConsentDecisionRequest(
                patient,
                random.Next(4) == 0 ? "TREAT" : "HRESCH",
                actors[random.Next(actors.Length)],
                types[random.Next(types.Length)],
                "http://loinc.org|8867-4",
                labels[random.Next(labels.Length)],
                new DateTimeOffset(2012 + random.Next(13), 6, 1, 0, 0, 0, TimeSpan.Zero),
                at);
        }
    }

    [Benchmark(OperationsPerInvoke = Requests)]
    public int Evaluate()
    {
        var permits = 0;
        foreach (var request in _requests)
        {
            if (_index.Evaluate(request).Permit)
            {
                permits++;
            }
        }

        return permits;
    }

    private static Hl7.Fhir.Model.Consent Parse(string json) =>
        (Hl7.Fhir.Model.Consent)FhirJson.ParseResource(Encoding.UTF8.GetBytes(json), "Consent");

    private static string ResearchConsent(string patient, string status) => $$$"""
        {"resourceType":"Consent","status":"{{{status}}}",
         "scope":{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/consentscope","code":"research"}]},
         "category":[{"coding":[{"system":"http://loinc.org","code":"59284-0"}]}],
         "patient":{"reference":"{{{patient}}}"},"dateTime":"2025-01-10",
         "policy":[{"uri":"http://example.org/policies/research.txt"}],
         "provision":{"type":"permit","period":{"start":"2025-01-01","end":"2027-12-31"},
           "actor":[{"role":{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/v3-ParticipationType","code":"IRCP"}]},"reference":{"reference":"ResearchStudy/cardio"}},
                    {"role":{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/v3-ParticipationType","code":"IRCP"}]},"reference":{"reference":"ResearchStudy/psych"}}],
           "purpose":[{"system":"http://terminology.hl7.org/CodeSystem/v3-ActReason","code":"HRESCH"}],
           "class":[{"system":"http://hl7.org/fhir/resource-types","code":"Observation"},{"system":"http://hl7.org/fhir/resource-types","code":"Condition"}],
           "dataPeriod":{"start":"2015-01-01"},
           "provision":[
             {"type":"deny","securityLabel":[{"system":"http://terminology.hl7.org/CodeSystem/v3-ActCode","code":"PSY"}],
              "provision":[{"type":"permit","actor":[{"role":{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/v3-ParticipationType","code":"IRCP"}]},"reference":{"reference":"ResearchStudy/psych"}}]}]},
             {"type":"deny","dataPeriod":{"start":"2020-01-01","end":"2020-12-31"}}]}}
        """;

    private static string TreatmentConsent(string patient) => $$$"""
        {"resourceType":"Consent","status":"active",
         "scope":{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/consentscope","code":"patient-privacy"}]},
         "category":[{"coding":[{"system":"http://loinc.org","code":"59284-0"}]}],
         "patient":{"reference":"{{{patient}}}"},"dateTime":"2024-01-01",
         "policy":[{"uri":"http://example.org/policies/privacy.txt"}],
         "provision":{"type":"permit","purpose":[{"system":"http://terminology.hl7.org/CodeSystem/v3-ActReason","code":"TREAT"}],
           "provision":[{"type":"deny","securityLabel":[{"system":"http://terminology.hl7.org/CodeSystem/v3-Confidentiality","code":"R"}]}]}}
        """;
}
