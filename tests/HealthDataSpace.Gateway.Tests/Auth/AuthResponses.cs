using System.Net.Http.Json;
using System.Text.Json;

namespace HealthDataSpace.Gateway.Tests.Auth;

/// <summary>Reading the gateway's auth answers in tests.</summary>
internal static class AuthResponses
{
    public sealed record Me(string ClientId, string Subject, string[] Roles);

    public static async Task<Me> ReadMeAsync(HttpResponseMessage response) =>
        (await response.Content.ReadFromJsonAsync<Me>())!;

    public static async Task<JsonElement> ReadJsonAsync(HttpResponseMessage response)
    {
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return document.RootElement.Clone();
    }
}
