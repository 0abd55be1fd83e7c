using System.Net.Http.Json;
using System.Text.Json;
using HealthDataSpace.Gateway.Tests.Fhir;
using Hl7.Fhir.Model;

namespace HealthDataSpace.Gateway.Tests.Consent;

/// <summary>Helpers for the consent routes: create a patient, ask a consent question, read ProblemDetails.</summary>
internal static class ConsentHttp
{
    /// <summary>
    /// A patient, and the two research studies the composed research consent names (referential integrity holds for
    /// consents too; the hospital registers them in its own tenancy, idempotently).
    /// </summary>
    public static async Task<string> CreatePatientAsync(HttpClient hospital, string family = "Georgiou", string mrn = "CY-77")
    {
        foreach (var study in new[] { "cardio", "psych" })
        {
            var put = await hospital.SendAsync(FhirClient.Request(HttpMethod.Put, $"/fhir/ResearchStudy/{study}",
                new ResearchStudy { Id = study, Status = ResearchStudy.ResearchStudyStatus.Active }));
            put.EnsureSuccessStatusCode();
        }

        var response = await hospital.PostAsync("/fhir/Patient", FhirClient.Patient(family, mrn));
        response.EnsureSuccessStatusCode();
        return (await response.ReadAsync<Patient>()).Id!;
    }

    public static async Task<Hl7.Fhir.Model.Consent> PostConsentAsync(HttpClient client, string json)
    {
        var response = await client.PostAsync("/fhir/Consent", json);
        Assert.Equal(201, (int)response.StatusCode);
        return await response.ReadAsync<Hl7.Fhir.Model.Consent>();
    }

    public static async Task<JsonElement> EvaluateAsync(HttpClient steward, object question)
    {
        var response = await steward.PostAsJsonAsync("/consent/$evaluate", question);
        Assert.Equal(200, (int)response.StatusCode);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    public static object Question(string patient, string purpose = "HRESCH", string actor = "ResearchStudy/cardio",
        string resourceType = "Observation", string date = "2025-06-01") =>
        new { patient = $"Patient/{patient}", purpose, actor, resourceType, date };

    /// <summary>Asserts the status and that the body is ProblemDetails; returns its detail and issues.</summary>
    public static async Task<string> AssertProblemAsync(this HttpResponseMessage response, int status)
    {
        Assert.Equal(status, (int)response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(status, problem.GetProperty("status").GetInt32());
        var issues = problem.TryGetProperty("issues", out var list) ? string.Join("\n", list.EnumerateArray().Select(i => i.GetString())) : string.Empty;
        return problem.GetProperty("detail").GetString() + "\n" + issues;
    }
}
