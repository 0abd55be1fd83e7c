using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using HealthDataSpace.Gateway.Auth;
using HealthDataSpace.Gateway.Tests.Fhir;
using HealthDataSpace.Gateway.Tests.Infrastructure;
using Hl7.Fhir.Model;
using static HealthDataSpace.Gateway.Tests.Telemetry.TelemetryTestClient;

namespace HealthDataSpace.Gateway.Tests.Telemetry;

/// <summary>POST/GET/DELETE /devices and key rotation: who may do what, and what is answered.</summary>
[Collection(GatewayTestGroup.Name)]
public sealed class DeviceRegistryTests(GatewayFixture fixture)
{
    private GatewayFactory Gateway => fixture.Gateway;

    [Fact]
    public async Task Register_OwnPatient_KeysAndFhirDeviceBoundToPatient()
    {
        var patient = await CreatePatientAsync(Gateway);
        var deviceId = NewDeviceId();
        using var client = Gateway.CreateClientFor(GatewayRoles.Hospital);

        using var response = await client.PostAsJsonAsync(new Uri("/devices", UriKind.Relative), new
        {
            deviceId,
            patient,
            type = new { coding = new[] { new { system = "http://snomed.info/sct", code = "706767009", display = "Patient data recorder" } } },
        });
        var registered = await response.Content.ReadFromJsonAsync<DeviceCredentials>(Json);
        using var fhirDevice = await client.GetAsync($"/fhir/{registered!.Device}");
        var device = await fhirDevice.ReadAsync<Device>();

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal(deviceId, registered.DeviceId);
        Assert.Equal("localhost", registered.HostName);
        Assert.Equal(32, Convert.FromBase64String(registered.PrimaryKey).Length);
        Assert.Equal(32, Convert.FromBase64String(registered.SecondaryKey).Length);
        Assert.NotEqual(registered.PrimaryKey, registered.SecondaryKey);
        Assert.Equal($"HostName=localhost;DeviceId={deviceId};SharedAccessKey={registered.PrimaryKey}", registered.ConnectionString);
        Assert.Equal(patient, device.Patient.Reference);
        Assert.Equal(deviceId, Assert.Single(device.Identifier).Value);
        Assert.Equal("706767009", device.Type.Coding[0].Code);
        Assert.Equal(Device.FHIRDeviceStatus.Active, device.Status);
    }

    [Theory]
    [InlineData("{\"deviceId\": \"has/slash\", \"patient\": \"Patient/x\"}", 400)]
    [InlineData("{\"patient\": \"Patient/x\"}", 400)]
    [InlineData("{\"deviceId\": \"ok-id\", \"patient\": \"Observation/x\"}", 400)]
    [InlineData("{\"deviceId\": \"ok-id\"}", 400)]
    [InlineData("{\"deviceId\": 12, \"patient\": \"Patient/x\"}", 400)]
    [InlineData("{\"deviceId\": \"ok-id\", \"patient\": \"Patient/does-not-exist\"}", 422)]
    [InlineData("not json", 400)]
    [InlineData("[]", 400)]
    public async Task Register_BadRequest_ProblemDetailsWithStatus(string body, int status)
    {
        using var client = Gateway.CreateClientFor(GatewayRoles.Hospital);

        using var response = await client.PostAsync(new Uri("/devices", UriKind.Relative), new StringContent(body, Encoding.UTF8, "application/json"));
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal(status, (int)response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(status, problem.GetProperty("status").GetInt32());
        Assert.False(string.IsNullOrWhiteSpace(problem.GetProperty("detail").GetString()));
    }

    [Fact]
    public async Task Register_InvalidType_400AndNothingRegistered()
    {
        var patient = await CreatePatientAsync(Gateway);
        var deviceId = NewDeviceId();
        using var client = Gateway.CreateClientFor(GatewayRoles.Hospital);

        using var response = await client.PostAsJsonAsync(new Uri("/devices", UriKind.Relative),
            new { deviceId, patient, type = new { coding = "not-a-list" } });
        using var get = await client.GetAsync($"/devices/{deviceId}");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, get.StatusCode);
    }

    [Fact]
    public async Task Register_AnotherHospitalsPatient_422()
    {
        var patient = await CreatePatientAsync(Gateway, clientId: "hospital-b");
        using var client = Gateway.CreateClientFor(GatewayRoles.Hospital, "hospital-a");

        using var response = await client.PostAsJsonAsync(new Uri("/devices", UriKind.Relative), new { deviceId = NewDeviceId(), patient });

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
    }

    [Fact]
    public async Task Register_SameIdTwice_409()
    {
        var patient = await CreatePatientAsync(Gateway);
        var device = await RegisterAsync(Gateway, patient);
        using var client = Gateway.CreateClientFor(GatewayRoles.Hospital);

        using var again = await client.PostAsJsonAsync(new Uri("/devices", UriKind.Relative), new { deviceId = device.DeviceId, patient });

        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
    }

    [Theory]
    [InlineData(GatewayRoles.Device, HttpStatusCode.Forbidden)]
    [InlineData(GatewayRoles.Researcher, HttpStatusCode.Forbidden)]
    [InlineData(null, HttpStatusCode.Unauthorized)]
    public async Task Register_WrongRoleOrNoToken_Refused(string? role, HttpStatusCode status)
    {
        using var client = role is null ? Gateway.CreateClient() : Gateway.CreateClientFor(role);

        using var response = await client.PostAsJsonAsync(new Uri("/devices", UriKind.Relative), new { deviceId = NewDeviceId(), patient = "Patient/x" });

        Assert.Equal(status, response.StatusCode);
    }

    [Fact]
    public async Task Get_OwnerAndSteward_SeeItWithoutKeys_OtherHospitalDoesNot()
    {
        var patient = await CreatePatientAsync(Gateway);
        var device = await RegisterAsync(Gateway, patient, edgeGateway: "edge-1");
        using var owner = Gateway.CreateClientFor(GatewayRoles.Hospital);
        using var steward = Gateway.CreateClientFor(GatewayRoles.Steward, "steward-console");
        using var other = Gateway.CreateClientFor(GatewayRoles.Hospital, "hospital-b");

        using var asOwner = await owner.GetAsync($"/devices/{device.DeviceId}");
        using var asSteward = await steward.GetAsync($"/devices/{device.DeviceId}");
        using var asOther = await other.GetAsync($"/devices/{device.DeviceId}");
        var body = await asOwner.Content.ReadAsStringAsync();
        var json = JsonDocument.Parse(body).RootElement;

        Assert.Equal(HttpStatusCode.OK, asOwner.StatusCode);
        Assert.Equal(HttpStatusCode.OK, asSteward.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, asOther.StatusCode);
        Assert.Equal("active", json.GetProperty("status").GetString());
        Assert.Equal(patient, json.GetProperty("patient").GetString());
        Assert.Equal("edge-1", json.GetProperty("gateway").GetString());
        Assert.DoesNotContain(device.PrimaryKey, body, StringComparison.Ordinal);
        Assert.DoesNotContain(device.SecondaryKey, body, StringComparison.Ordinal);
        Assert.DoesNotContain("key", body, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Rotate_Primary_OnlyPrimaryChanges()
    {
        var device = await RegisterAsync(Gateway, await CreatePatientAsync(Gateway));
        using var client = Gateway.CreateClientFor(GatewayRoles.Hospital);

        using var response = await client.PostAsync(new Uri($"/devices/{device.DeviceId}/keys/$rotate?key=primary", UriKind.Relative), null);
        var rotated = await response.Content.ReadFromJsonAsync<DeviceCredentials>(Json);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.NotEqual(device.PrimaryKey, rotated!.PrimaryKey);
        Assert.Equal(device.SecondaryKey, rotated.SecondaryKey);
    }

    [Fact]
    public async Task Rotate_UnknownWhichKeyOrOtherHospital_Refused()
    {
        var device = await RegisterAsync(Gateway, await CreatePatientAsync(Gateway));
        using var owner = Gateway.CreateClientFor(GatewayRoles.Hospital);
        using var other = Gateway.CreateClientFor(GatewayRoles.Hospital, "hospital-b");

        using var badKey = await owner.PostAsync(new Uri($"/devices/{device.DeviceId}/keys/$rotate?key=tertiary", UriKind.Relative), null);
        using var notYours = await other.PostAsync(new Uri($"/devices/{device.DeviceId}/keys/$rotate", UriKind.Relative), null);

        Assert.Equal(HttpStatusCode.BadRequest, badKey.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, notYours.StatusCode);
    }

    [Fact]
    public async Task Delete_Owner_RevokedDeviceInactiveAndIdNotReusable()
    {
        var patient = await CreatePatientAsync(Gateway);
        var device = await RegisterAsync(Gateway, patient);
        using var client = Gateway.CreateClientFor(GatewayRoles.Hospital);
        using var other = Gateway.CreateClientFor(GatewayRoles.Hospital, "hospital-b");

        using var notYours = await other.DeleteAsync(new Uri($"/devices/{device.DeviceId}", UriKind.Relative));
        using var deleted = await client.DeleteAsync(new Uri($"/devices/{device.DeviceId}", UriKind.Relative));
        using var deletedAgain = await client.DeleteAsync(new Uri($"/devices/{device.DeviceId}", UriKind.Relative));
        using var get = await client.GetAsync($"/devices/{device.DeviceId}");
        using var fhirDevice = await client.GetAsync($"/fhir/{device.Device}");
        using var rotate = await client.PostAsync(new Uri($"/devices/{device.DeviceId}/keys/$rotate", UriKind.Relative), null);
        using var reRegister = await client.PostAsJsonAsync(new Uri("/devices", UriKind.Relative), new { deviceId = device.DeviceId, patient });

        Assert.Equal(HttpStatusCode.NotFound, notYours.StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, deletedAgain.StatusCode);
        Assert.Equal("revoked", JsonDocument.Parse(await get.Content.ReadAsStringAsync()).RootElement.GetProperty("status").GetString());
        Assert.Equal(Device.FHIRDeviceStatus.Inactive, (await fhirDevice.ReadAsync<Device>()).Status);
        Assert.Equal(HttpStatusCode.Conflict, rotate.StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, reRegister.StatusCode);
    }

    [Fact]
    public async Task Keys_AtRest_NotInTheDatabaseFilesInClear()
    {
        var device = await RegisterAsync(Gateway, await CreatePatientAsync(Gateway));
        var primary = Convert.FromBase64String(device.PrimaryKey);

        var files = Directory.GetFiles(Gateway.DataPath, "telemetry.db*");
        var contents = files.Select(f =>
        {
            using var stream = new FileStream(f, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            using var memory = new MemoryStream();
            stream.CopyTo(memory);
            return memory.ToArray();
        }).ToList();

        Assert.NotEmpty(files);
        Assert.Contains(contents, bytes => bytes.AsSpan().IndexOf(Encoding.UTF8.GetBytes(device.DeviceId)) >= 0);
        Assert.All(contents, bytes => Assert.True(bytes.AsSpan().IndexOf(primary) < 0));
        Assert.All(contents, bytes => Assert.True(bytes.AsSpan().IndexOf(Encoding.ASCII.GetBytes(device.PrimaryKey)) < 0));
        Assert.DoesNotContain(Gateway.Logs.Messages, m => m.Contains(device.PrimaryKey, StringComparison.Ordinal));
    }
}
