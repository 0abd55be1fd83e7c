using System.Globalization;
using System.Net;
using System.Net.Http.Json;

namespace HealthDataSpace.Cli.Commands.Demo;

/// <summary>The approved permit the researcher works under.</summary>
internal sealed record DemoPermit(string Id, string Project, string Recipient);

/// <summary>
/// Steps 3 and 4, the data steward: records each patient's research consent (<c>$opt-in</c>, and <c>$opt-out</c> for
/// three of them) and approves a permit for aggregate counts and a dataset for an AI partner.
/// </summary>
internal static class StewardSteps
{
    public const string Purpose = "HRESCH";
    public const string Recipient = "Organization/demo-ai-partner";
    public static readonly string[] ResourceTypes = ["Patient", "Condition", "Observation", "MedicationRequest", "Encounter"];
    private static readonly string[] Outputs = ["aggregate", "dataset"];

    /// <summary>The patients who opt out: three spread over the list (one of them a wearable's patient when there are any).</summary>
    public static IReadOnlySet<string> OptingOut(IReadOnlyList<string> patients) =>
        new[] { 1, patients.Count / 2, patients.Count - 1 }.Where(i => i >= 0 && i < patients.Count).Select(i => patients[i]).ToHashSet(StringComparer.Ordinal);

    public static Task<IReadOnlySet<string>> RecordConsentsAsync(DemoApi api, DemoConsole console, IReadOnlyList<string> patients, CancellationToken cancellationToken) =>
        console.StepAsync<IReadOnlySet<string>>("Steward records research consents", patients.Count, async progress =>
        {
            var optingOut = OptingOut(patients);
            foreach (var patient in patients)
            {
                await RecordAsync(api, patient, optingOut.Contains(patient) ? "$opt-out" : "$opt-in", cancellationToken);
                progress.Advance(1);
            }

            return (optingOut, string.Create(CultureInfo.InvariantCulture,
                $"{patients.Count - optingOut.Count} opt-ins, {optingOut.Count} opt-outs for purpose {Purpose} (each a FHIR Consent, audited)"));
        });

    public static async Task RecordAsync(DemoApi api, string patient, string operation, CancellationToken cancellationToken)
    {
        using var response = await api.Steward.CallAsync(HttpMethod.Post, $"steward/consents/{patient}/{operation}?purpose={Purpose}", null,
            $"Recording {operation} for Patient/{patient}", cancellationToken, HttpStatusCode.Created);
    }

    public static Task<DemoPermit> ApprovePermitAsync(DemoApi api, DemoConsole console, CancellationToken cancellationToken) =>
        console.StepAsync("Steward approves a data permit", 1, async _ =>
        {
            var project = "demo-" + DateTime.UtcNow.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture);
            var now = DateTimeOffset.UtcNow;
            var body = JsonContent.Create(new
            {
                project,
                title = "hds demo: wearables and respiratory infections",
                recipient = Recipient,
                researchers = new[] { api.ResearcherSubject },
                purpose = Purpose,
                resourceTypes = ResourceTypes,
                validFrom = now.AddHours(-1),
                validTo = now.AddDays(30),
                outputs = Outputs,
            });
            var response = await api.Steward.CallAsync(HttpMethod.Post, "steward/permits", body, "Approving the permit", cancellationToken, HttpStatusCode.Created);
            var permit = await response.ReadJsonAsync(cancellationToken);
            var id = permit.GetProperty("id").GetString()!;
            return (new DemoPermit(id, project, Recipient), $"permit {id}, project {project}, {Purpose} for {Recipient}, " +
                $"outputs aggregate + dataset over {string.Join(", ", ResourceTypes)}, status {permit.GetProperty("status").GetString()}");
        });
}
