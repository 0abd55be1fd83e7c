using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Grpc.Net.Client;
using HealthDataSpace.Contracts.Telemetry.V1;
using HealthDataSpace.Core.Telemetry.Devices;
using HealthDataSpace.Gateway.Auth;
using HealthDataSpace.Gateway.Tests.Fhir;
using HealthDataSpace.Gateway.Tests.Infrastructure;
using Hl7.Fhir.Model;

namespace HealthDataSpace.Gateway.Tests.Telemetry;

/// <summary>What POST /devices answers (read back as a client would).</summary>
internal sealed record DeviceCredentials(string DeviceId, string HostName, string PrimaryKey, string SecondaryKey, string Patient, string Device,
    string? Gateway, string ConnectionString)
{
    public string Sas(TimeSpan? lifetime = null, bool secondary = false) =>
        SharedAccessSignature.Build(HostName, DeviceId, Convert.FromBase64String(secondary ? SecondaryKey : PrimaryKey),
            DateTimeOffset.UtcNow.Add(lifetime ?? TimeSpan.FromHours(1)));
}

/// <summary>REST and gRPC helpers for the telemetry tests: patients, device registration, SAS and Bearer gRPC clients.</summary>
internal static class TelemetryTestClient
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static string NewDeviceId(string prefix = "dev") => $"{prefix}-{Guid.NewGuid():N}"[..24];

    /// <summary>Creates a patient as the given hospital and returns its reference.</summary>
    public static async Task<string> CreatePatientAsync(GatewayFactory gateway, string clientId = TestIdentityProvider.DefaultClientId)
    {
        using var client = gateway.CreateClientFor(GatewayRoles.Hospital, clientId);
        using var response = await client.PostAsync("/fhir/Patient", FhirClient.Patient("Telemetry", Guid.NewGuid().ToString("N")));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return $"Patient/{(await response.ReadAsync<Patient>()).Id}";
    }

    public static async Task<DeviceCredentials> RegisterAsync(GatewayFactory gateway, string patient, string? deviceId = null,
        string? edgeGateway = null, string clientId = TestIdentityProvider.DefaultClientId)
    {
        using var client = gateway.CreateClientFor(GatewayRoles.Hospital, clientId);
        using var response = await client.PostAsJsonAsync(new Uri("/devices", UriKind.Relative),
            new { deviceId = deviceId ?? NewDeviceId(), patient, gateway = edgeGateway });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<DeviceCredentials>(Json))!;
    }

    /// <summary>Polls until the condition holds (30 s at most): for states the test can see but not await.</summary>
    public static async Task WaitUntilAsync(Func<bool> condition)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (!condition())
        {
            await Task.Delay(10, timeout.Token);
        }
    }

    public static GrpcChannel Channel(GatewayFactory gateway) =>
        GrpcChannel.ForAddress(gateway.Server.BaseAddress, new GrpcChannelOptions { HttpHandler = gateway.Server.CreateHandler() });

    public static Metadata SasHeaders(string token) => new() { { "authorization", token } };

    public static Metadata BearerHeaders(string token) => new() { { "authorization", $"Bearer {token}" } };

    public static TelemetryMessage Measurement(string deviceId, string messageId, string type, double value, DateTimeOffset time) => new()
    {
        DeviceId = deviceId,
        MessageId = messageId,
        Measurements = new Measurements { Items = { new Contracts.Telemetry.V1.Measurement { Type = type, Value = value, Time = Timestamp.FromDateTimeOffset(time) } } },
    };

    public static TelemetryMessage JsonMessage(string deviceId, string messageId, string json) => new()
    {
        DeviceId = deviceId,
        MessageId = messageId,
        JsonPayload = ByteString.CopyFromUtf8(json),
    };

    public static TelemetryBatch Batch(string batchId, params TelemetryMessage[] messages)
    {
        var batch = new TelemetryBatch { BatchId = batchId };
        batch.Messages.AddRange(messages);
        return batch;
    }

    /// <summary>Every reading GET /telemetry/{deviceId} returns, following next links.</summary>
    public static async Task<List<JsonElement>> ReadingsAsync(GatewayFactory gateway, string deviceId, string query = "",
        string clientId = TestIdentityProvider.DefaultClientId)
    {
        using var client = gateway.CreateClientFor(GatewayRoles.Hospital, clientId);
        var readings = new List<JsonElement>();
        string? next = $"/telemetry/{deviceId}{query}";
        while (next is not null)
        {
            using var response = await client.GetAsync(next);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            readings.AddRange(document.RootElement.GetProperty("readings").EnumerateArray().Select(r => r.Clone()));
            var link = document.RootElement.GetProperty("next");
            next = link.ValueKind == JsonValueKind.Null ? null : link.GetString();
        }

        return readings;
    }
}
