using System.Net.Http.Headers;
using System.Text;
using HealthDataSpace.Core.Fhir;
using Hl7.Fhir.Model;

namespace HealthDataSpace.Gateway.Tests.Fhir;

/// <summary>Small helpers for speaking FHIR JSON to the gateway in tests.</summary>
internal static class FhirClient
{
    public const string MediaType = "application/fhir+json";

    public static StringContent Body(string json) => new(json, Encoding.UTF8, MediaType);

    public static StringContent Body(Resource resource) => Body(FhirJson.Serialize(resource));

    public static Task<HttpResponseMessage> PostAsync(this HttpClient client, string url, Resource resource) =>
        client.PostAsync(new Uri(url, UriKind.Relative), Body(resource));

    public static Task<HttpResponseMessage> PostAsync(this HttpClient client, string url, string json) =>
        client.PostAsync(new Uri(url, UriKind.Relative), Body(json));

    public static Task<HttpResponseMessage> GetAsync(this HttpClient client, string url) =>
        client.GetAsync(new Uri(url, UriKind.Relative));

    public static async Task<T> ReadAsync<T>(this HttpResponseMessage response) where T : Resource
    {
        var bytes = await response.Content.ReadAsByteArrayAsync();
        return (T)FhirJson.ParseResource(bytes);
    }

    /// <summary>Asserts the status and that the body is an OperationOutcome with an error; returns its text.</summary>
    public static async Task<string> AssertOutcomeAsync(this HttpResponseMessage response, int status)
    {
        Assert.Equal(status, (int)response.StatusCode);
        Assert.Equal(MediaType, response.Content.Headers.ContentType?.MediaType);
        var outcome = await response.ReadAsync<OperationOutcome>();
        Assert.Contains(outcome.Issue, i => i.Severity is OperationOutcome.IssueSeverity.Error or OperationOutcome.IssueSeverity.Fatal);
        return string.Join("\n", outcome.Issue.Select(i => i.Diagnostics));
    }

    public static Patient Patient(string family, string mrn) => new()
    {
        Name = [new HumanName { Family = family, Given = ["Ioana"] }],
        Identifier = [new Identifier("urn:oid:1.2.642.1", mrn)],
        Gender = AdministrativeGender.Female,
        BirthDate = "1971-02-03",
    };

    public static HttpRequestMessage Request(HttpMethod method, string url, Resource? body = null, params (string Name, string Value)[] headers)
    {
        var request = new HttpRequestMessage(method, new Uri(url, UriKind.Relative)) { Content = body is null ? null : Body(body) };
        foreach (var (name, value) in headers)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        return request;
    }

    public static string? ETag(this HttpResponseMessage response) => response.Headers.ETag?.ToString();

    public static MediaTypeHeaderValue? ContentType(this HttpResponseMessage response) => response.Content.Headers.ContentType;
}
