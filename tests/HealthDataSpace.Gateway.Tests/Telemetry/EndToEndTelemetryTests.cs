using System.Globalization;
using System.Net;
using HealthDataSpace.Contracts.Telemetry.V1;
using HealthDataSpace.Gateway.Auth;
using HealthDataSpace.Gateway.Tests.Fhir;
using HealthDataSpace.Gateway.Tests.Infrastructure;
using Hl7.Fhir.Model;
using static HealthDataSpace.Gateway.Tests.Telemetry.MqttTestClient;
using static HealthDataSpace.Gateway.Tests.Telemetry.TelemetryTestClient;

namespace HealthDataSpace.Gateway.Tests.Telemetry;

/// <summary>
/// The issue's "done when", with the shipped MedTech templates: one device streams a day of minute-level heart rate and
/// SpO2 over gRPC, another publishes with mosquitto_pub; every reading is acknowledged, queryable once, and shows up as
/// hourly Observations (LOINC 8867-4, 59408-5) on the right patient with the right device.
/// </summary>
[Collection(GatewayTestGroup.Name)]
public sealed class EndToEndTelemetryTests(GatewayFixture fixture)
{
    private static readonly DateTimeOffset Day = new(2024, 3, 1, 0, 0, 0, TimeSpan.Zero);

    private GatewayFactory Gateway => fixture.Gateway;

    [Fact]
    public async Task DayOfMinuteReadings_GrpcAndMosquitto_AckedQueryableOnceAndObservationsOnPatient()
    {
        var patient = await CreatePatientAsync(Gateway);
        var watch = await RegisterAsync(Gateway, patient);
        var oximeter = await RegisterAsync(Gateway, await CreatePatientAsync(Gateway));
        using var channel = Channel(Gateway);
        using var call = new TelemetryIngest.TelemetryIngestClient(channel).Stream(SasHeaders(watch.Sas()));

        var accepted = 0;
        var receiving = Task.Run(async () =>
        {
            while (await call.ResponseStream.MoveNext(CancellationToken.None))
            {
                Assert.Empty(call.ResponseStream.Current.Rejected);
                accepted += call.ResponseStream.Current.Accepted;
            }
        });
        for (var hour = 0; hour < 24; hour++)
        {
            var messages = Enumerable.Range(hour * 60, 60).SelectMany(minute => new[]
            {
                Measurement(watch.DeviceId, $"hr-{minute}", "heartrate", 55 + (minute % 50), Day.AddMinutes(minute)),
                Measurement(watch.DeviceId, $"spo2-{minute}", "spo2", 94 + (minute % 6), Day.AddMinutes(minute)),
            }).ToArray();
            await call.RequestStream.WriteAsync(Batch($"hour-{hour}", messages));
        }

        await call.RequestStream.CompleteAsync();
        await receiving;

        var port = Port(Gateway).ToString(CultureInfo.InvariantCulture);
        for (var minute = 0; minute < 3; minute++)
        {
            var body = string.Create(CultureInfo.InvariantCulture, $"{{\"spo2\":{96 + minute},\"endDate\":\"{Day.AddMinutes(minute):yyyy-MM-ddTHH:mm:ssZ}\"}}");
            var (exit, errors) = await MosquittoPubAsync("-h", "127.0.0.1", "-p", port, "-V", "mqttv311", "-q", "1",
                "-i", oximeter.DeviceId, "-u", UserName(oximeter), "-P", oximeter.Sas(),
                "-t", EventsTopic(oximeter.DeviceId, $"%24.mid=ox-{minute}"), "-m", body);
            Assert.True(exit == 0, $"mosquitto_pub failed ({exit}): {errors}");
        }

        var watchReadings = await ReadingsAsync(Gateway, watch.DeviceId, "?_count=1000");
        var oximeterReadings = await ReadingsAsync(Gateway, oximeter.DeviceId);
        var times = watchReadings.Select(r => r.GetProperty("time").GetDateTimeOffset()).ToList();

        Assert.Equal(2880, accepted);
        Assert.Equal(2880, watchReadings.Count);
        Assert.Equal(2880, watchReadings.Select(r => r.GetProperty("messageId").GetString()).Distinct().Count());
        Assert.Equal(times.Order(), times);
        Assert.Equal(3, oximeterReadings.Count);

        var watchObservations = await ObservationsAsync(watch.Patient, expected: 48);
        Assert.Equal(24, watchObservations.Count(o => o.Code.Coding.Any(c => c.Code == "8867-4")));
        Assert.Equal(24, watchObservations.Count(o => o.Code.Coding.Any(c => c.Code == "59408-5")));
        Assert.All(watchObservations, o => Assert.Equal(watch.Device, o.Device.Reference));
        Assert.All(watchObservations, o => Assert.Equal(watch.Patient, o.Subject.Reference));
        var oximeterObservations = await ObservationsAsync(oximeter.Patient, expected: 1);
        Assert.All(oximeterObservations, o => Assert.Equal(oximeter.Device, o.Device.Reference));
    }

    /// <summary>The patient's Observations once the projection has written at least <paramref name="expected"/> (it trails the acks).</summary>
    private async Task<List<Observation>> ObservationsAsync(string patient, int expected)
    {
        using var hospital = Gateway.CreateClientFor(GatewayRoles.Hospital);
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        while (true)
        {
            using var response = await hospital.GetAsync($"/fhir/Observation?subject={patient}&_count=200");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var found = (await response.ReadAsync<Bundle>()).Entry.Select(e => e.Resource).OfType<Observation>().ToList();
            if (found.Count >= expected)
            {
                return found;
            }

            await Task.Delay(200, deadline.Token);
        }
    }
}
