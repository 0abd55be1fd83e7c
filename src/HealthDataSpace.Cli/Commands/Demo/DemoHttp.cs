using System.Net;
using System.Text.Json;

namespace HealthDataSpace.Cli.Commands.Demo;

/// <summary>
/// Calls with a status check: anything but the expected status stops the demo with what the gateway said (the
/// ProblemDetails title/detail/issues or the OperationOutcome diagnostics, which never quote patient data).
/// </summary>
internal static class DemoHttp
{
    private const int MaxDetail = 400;

    public static async Task<HttpResponseMessage> CallAsync(this HttpClient client, HttpMethod method, string path, HttpContent? content,
        string what, CancellationToken cancellationToken, params HttpStatusCode[] expected)
    {
        using var request = new HttpRequestMessage(method, new Uri(path, UriKind.Relative)) { Content = content };
        HttpResponseMessage response;
        try
        {
            response = await client.SendAsync(request, cancellationToken);
        }
        catch (HttpRequestException e)
        {
            throw new DemoFailedException($"{what}: no answer from the gateway at {client.BaseAddress} ({e.Message})", e);
        }
        catch (TaskCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw new DemoFailedException($"{what}: the gateway at {client.BaseAddress} did not answer within {client.Timeout.TotalSeconds:0} s", e);
        }

        if (Array.IndexOf(expected, response.StatusCode) >= 0)
        {
            return response;
        }

        using (response)
        {
            var body = await response.Content.ReadAsStringAsync(cancellationToken);
            var detail = Describe(body);
            throw new DemoFailedException($"{what}: {method} {path} answered {(int)response.StatusCode} {response.ReasonPhrase}{(detail.Length == 0 ? "" : ": " + detail)}");
        }
    }

    public static async Task<JsonElement> ReadJsonAsync(this HttpResponseMessage response, CancellationToken cancellationToken)
    {
        using (response)
        {
            await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
            using var document = await JsonDocument.ParseAsync(stream, cancellationToken: cancellationToken);
            return document.RootElement.Clone();
        }
    }

    /// <summary>The gateway's explanation from an error body; empty when the body is not one of its error shapes.</summary>
    internal static string Describe(string body)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return string.Empty;
            }

            var parts = new List<string>();
            if (root.TryGetProperty("resourceType", out var type) && type.GetString() == "OperationOutcome" && root.TryGetProperty("issue", out var issues))
            {
                parts.AddRange(issues.EnumerateArray()
                    .Select(i => i.TryGetProperty("diagnostics", out var d) ? d.GetString() : null).OfType<string>());
            }
            else
            {
                foreach (var name in new[] { "title", "detail" })
                {
                    if (root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String)
                    {
                        parts.Add(value.GetString()!);
                    }
                }

                if (root.TryGetProperty("issues", out var list) && list.ValueKind == JsonValueKind.Array)
                {
                    parts.AddRange(list.EnumerateArray().Select(i => i.ValueKind == JsonValueKind.String ? i.GetString()! : i.GetRawText()));
                }
            }

            var text = string.Join(" ", parts.Distinct(StringComparer.Ordinal));
            return text.Length <= MaxDetail ? text : text[..MaxDetail] + "…";
        }
        catch (JsonException)
        {
            return string.Empty;
        }
    }
}
