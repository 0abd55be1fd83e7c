using Google.Protobuf;
using Grpc.Core;
using HealthDataSpace.Contracts.Telemetry.V1;
using HealthDataSpace.Gateway.Auth;
using HealthDataSpace.Gateway.Tests.Infrastructure;
using static HealthDataSpace.Gateway.Tests.Telemetry.TelemetryTestClient;

namespace HealthDataSpace.Gateway.Tests.Telemetry;

/// <summary>TelemetryIngest over gRPC: acks, duplicates, per-message refusals with the stream kept open, and auth.</summary>
[Collection(GatewayTestGroup.Name)]
public sealed class GrpcIngestTests(GatewayFixture fixture)
{
    private static readonly DateTimeOffset T0 = new(2024, 3, 1, 0, 0, 0, TimeSpan.Zero);

    private GatewayFactory Gateway => fixture.Gateway;

    [Fact]
    public async Task Send_SasDevice_AckedAndEveryReadingQueryableInTimeOrder()
    {
        var device = await RegisterAsync(Gateway, await CreatePatientAsync(Gateway));
        using var channel = Channel(Gateway);
        var client = new TelemetryIngest.TelemetryIngestClient(channel);

        var ack = await client.SendAsync(Batch("b1",
            Measurement(device.DeviceId, "m2", "heartrate", 71, T0.AddMinutes(1)),
            Measurement(device.DeviceId, "m1", "heartrate", 70, T0),
            JsonMessage(device.DeviceId, "m3", "{\"spo2\":97,\"endDate\":\"2024-03-01T00:00:30Z\"}")),
            SasHeaders(device.Sas()));
        var readings = await ReadingsAsync(Gateway, device.DeviceId);

        Assert.Equal("b1", ack.BatchId);
        Assert.Equal(3, ack.Accepted);
        Assert.Equal(0, ack.Duplicates);
        Assert.Empty(ack.Rejected);
        Assert.Equal(["m1", "m3", "m2"], readings.Select(r => r.GetProperty("messageId").GetString()));
        Assert.Equal(["heartrate", "spo2", "heartrate"], readings.Select(r => r.GetProperty("type").GetString()));
        Assert.Equal(T0.AddSeconds(30), readings[1].GetProperty("time").GetDateTimeOffset());
    }

    [Fact]
    public async Task Send_SameBatchRetried_CountsDuplicatesAndStoresNothingTwice()
    {
        var device = await RegisterAsync(Gateway, await CreatePatientAsync(Gateway));
        using var channel = Channel(Gateway);
        var client = new TelemetryIngest.TelemetryIngestClient(channel);
        var batch = Batch("b1", Measurement(device.DeviceId, "m1", "heartrate", 70, T0), Measurement(device.DeviceId, "m2", "heartrate", 71, T0.AddMinutes(1)));
        // A message without an id is de-duplicated by its content.
        var anonymous = Batch("b2", Measurement(device.DeviceId, string.Empty, "steps", 12, T0));

        var first = await client.SendAsync(batch, SasHeaders(device.Sas()));
        var retry = await client.SendAsync(batch, SasHeaders(device.Sas()));
        var anonymousFirst = await client.SendAsync(anonymous, SasHeaders(device.Sas()));
        var anonymousRetry = await client.SendAsync(anonymous, SasHeaders(device.Sas()));

        Assert.Equal((2, 0), (first.Accepted, first.Duplicates));
        Assert.Equal((0, 2), (retry.Accepted, retry.Duplicates));
        Assert.Equal((1, 0), (anonymousFirst.Accepted, anonymousFirst.Duplicates));
        Assert.Equal((0, 1), (anonymousRetry.Accepted, anonymousRetry.Duplicates));
        Assert.Equal(3, (await ReadingsAsync(Gateway, device.DeviceId)).Count);
    }

    [Fact]
    public async Task Stream_ManyBatches_OneAckPerBatchInOrder()
    {
        var device = await RegisterAsync(Gateway, await CreatePatientAsync(Gateway));
        using var channel = Channel(Gateway);
        using var call = new TelemetryIngest.TelemetryIngestClient(channel).Stream(SasHeaders(device.Sas()));

        var sending = Task.Run(async () =>
        {
            for (var b = 0; b < 40; b++)
            {
                var messages = Enumerable.Range(0, 25).Select(i =>
                    Measurement(device.DeviceId, $"b{b}-m{i}", "heartrate", 60 + i, T0.AddMinutes(b * 25 + i))).ToArray();
                await call.RequestStream.WriteAsync(Batch($"b{b}", messages));
            }

            await call.RequestStream.CompleteAsync();
        });
        var acks = new List<IngestAck>();
        await foreach (var ack in call.ResponseStream.ReadAllAsync())
        {
            acks.Add(ack);
        }

        await sending;

        Assert.Equal(Enumerable.Range(0, 40).Select(b => $"b{b}"), acks.Select(a => a.BatchId));
        Assert.All(acks, a => Assert.Equal(25, a.Accepted));
        Assert.Equal(1000, (await ReadingsAsync(Gateway, device.DeviceId, "?_count=300")).Count);
    }

    [Fact]
    public async Task Stream_EveryBadCase_RejectedPerMessageAndStreamStaysOpen()
    {
        var patient = await CreatePatientAsync(Gateway);
        var device = await RegisterAsync(Gateway, patient);
        var other = await RegisterAsync(Gateway, patient);
        var id = device.DeviceId;
        var shouldFail = Path.Combine(RepositoryPaths.SharedData, "wearables", "openmhealth-schemas-testdata", "omh");
        using var channel = Channel(Gateway);
        using var call = new TelemetryIngest.TelemetryIngestClient(channel).Stream(SasHeaders(device.Sas()));

        var bad = new (TelemetryMessage Message, string Why)[]
        {
            (Measurement(other.DeviceId, "x1", "heartrate", 70, T0), "other device"),
            (JsonMessage(id, "x2", "{\"heartRate\": 7"), "malformed JSON"),
            (JsonMessage(id, "x3", "{\"unexpected\": \"shape\"}"), "no template"),
            (Measurement(id, "x4", "spo2", 150, T0), "impossible value"),
            (Measurement(id, "x5", "heartrate", 70, DateTimeOffset.UtcNow.AddYears(1)), "far future"),
            (new TelemetryMessage { DeviceId = id, MessageId = "x6" }, "no body"),
            (JsonMessage(id, "x7", File.ReadAllText(Path.Combine(shouldFail, "heart-rate", "2.0", "shouldFail", "incorrect-unit.json"))), "OMH shouldFail"),
            (JsonMessage(id, "x8", File.ReadAllText(Path.Combine(shouldFail, "oxygen-saturation", "2.0", "shouldFail", "invalid-unit.json"))), "OMH shouldFail"),
            (JsonMessage(id, "x9", new string('x', 300 * 1024)), "too large"),
        };
        var rejections = new List<Rejection>();
        for (var i = 0; i < bad.Length; i++)
        {
            // Each bad message shares its batch with a good one, which must still be accepted.
            await call.RequestStream.WriteAsync(Batch($"bad{i}", bad[i].Message, Measurement(id, $"good{i}", "heartrate", 60, T0.AddMinutes(i))));
            Assert.True(await call.ResponseStream.MoveNext(), $"stream ended after {bad[i].Why}");
            var ack = call.ResponseStream.Current;
            Assert.Equal(1, ack.Accepted);
            rejections.Add(Assert.Single(ack.Rejected));
        }

        await call.RequestStream.WriteAsync(Batch("after", Measurement(id, "last", "heartrate", 61, T0.AddHours(1))));
        Assert.True(await call.ResponseStream.MoveNext());
        var last = call.ResponseStream.Current;
        await call.RequestStream.CompleteAsync();

        Assert.Equal(bad.Select(b => b.Message.MessageId), rejections.Select(r => r.MessageId));
        Assert.All(rejections, r => Assert.False(string.IsNullOrWhiteSpace(r.Reason)));
        Assert.Contains("own", rejections[0].Reason, StringComparison.Ordinal);
        Assert.Contains("neither", rejections[5].Reason, StringComparison.Ordinal);
        Assert.Contains("larger", rejections[8].Reason, StringComparison.Ordinal);
        Assert.Equal(1, last.Accepted);
        Assert.Equal(bad.Length + 1, (await ReadingsAsync(Gateway, id)).Count);
        Assert.Empty(await ReadingsAsync(Gateway, other.DeviceId));
    }

    [Fact]
    public async Task Send_EdgeGatewayBearer_MayOnlySendForItsDevices()
    {
        var patient = await CreatePatientAsync(Gateway);
        var mine = await RegisterAsync(Gateway, patient, edgeGateway: "edge-1");
        var someoneElses = await RegisterAsync(Gateway, patient, edgeGateway: "edge-2");
        var direct = await RegisterAsync(Gateway, patient);
        using var channel = Channel(Gateway);
        var client = new TelemetryIngest.TelemetryIngestClient(channel);
        var token = Gateway.Identity.CreateToken([GatewayRoles.Device], "edge-1");

        var ack = await client.SendAsync(Batch("g1",
            Measurement(mine.DeviceId, "m1", "heartrate", 70, T0),
            Measurement(someoneElses.DeviceId, "m2", "heartrate", 70, T0),
            Measurement(direct.DeviceId, "m3", "heartrate", 70, T0),
            Measurement("never-registered", "m4", "heartrate", 70, T0)),
            BearerHeaders(token));

        Assert.Equal(1, ack.Accepted);
        Assert.Equal(["m2", "m3", "m4"], ack.Rejected.Select(r => r.MessageId));
        Assert.All(ack.Rejected, r => Assert.Equal("unknown device, or not registered to this gateway", r.Reason));
    }

    [Fact]
    public async Task Send_BearerWithoutDeviceRole_PermissionDenied()
    {
        using var channel = Channel(Gateway);
        var client = new TelemetryIngest.TelemetryIngestClient(channel);

        var error = await Assert.ThrowsAsync<RpcException>(() => client.SendAsync(Batch("b"),
            BearerHeaders(Gateway.Identity.CreateToken([GatewayRoles.Hospital]))).ResponseAsync);

        Assert.Equal(StatusCode.PermissionDenied, error.StatusCode);
    }

    [Fact]
    public async Task Send_BadSasTokens_Unauthenticated()
    {
        var device = await RegisterAsync(Gateway, await CreatePatientAsync(Gateway));
        var revoked = await RegisterAsync(Gateway, await CreatePatientAsync(Gateway));
        using (var hospital = Gateway.CreateClientFor(GatewayRoles.Hospital))
        {
            (await hospital.DeleteAsync(new Uri($"/devices/{revoked.DeviceId}", UriKind.Relative))).Dispose();
        }

        var wrongKey = device with { PrimaryKey = Convert.ToBase64String(new byte[32]) };
        var otherHost = device with { HostName = "elsewhere.azure-devices.net" };
        using var channel = Channel(Gateway);
        var client = new TelemetryIngest.TelemetryIngestClient(channel);
        string[] tokens =
        [
            wrongKey.Sas(),
            device.Sas(TimeSpan.FromMinutes(-1)),
            otherHost.Sas(),
            revoked.Sas(),
            device.Sas().Replace("se=", "skn=device&se=", StringComparison.Ordinal),
            "SharedAccessSignature garbage",
        ];

        foreach (var token in tokens)
        {
            var error = await Assert.ThrowsAsync<RpcException>(() => client.SendAsync(
                Batch("b", Measurement(device.DeviceId, "m", "heartrate", 70, T0)), SasHeaders(token)).ResponseAsync);
            Assert.Equal(StatusCode.Unauthenticated, error.StatusCode);
        }

        var secondary = await client.SendAsync(Batch("b", Measurement(device.DeviceId, "m", "heartrate", 70, T0)), SasHeaders(device.Sas(secondary: true)));
        Assert.Equal(1, secondary.Accepted);
        Assert.Empty(await ReadingsAsync(Gateway, revoked.DeviceId));
        Assert.DoesNotContain(Gateway.Logs.Messages, m => m.Contains("sig=", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Stream_DeviceRevokedWhileOpen_StreamEndsWithPermissionDenied()
    {
        var device = await RegisterAsync(Gateway, await CreatePatientAsync(Gateway));
        using var channel = Channel(Gateway);
        using var call = new TelemetryIngest.TelemetryIngestClient(channel).Stream(SasHeaders(device.Sas()));
        await call.RequestStream.WriteAsync(Batch("b1", Measurement(device.DeviceId, "m1", "heartrate", 70, T0)));
        Assert.True(await call.ResponseStream.MoveNext());

        using (var hospital = Gateway.CreateClientFor(GatewayRoles.Hospital))
        {
            (await hospital.DeleteAsync(new Uri($"/devices/{device.DeviceId}", UriKind.Relative))).Dispose();
        }

        // The gateway ends the open call by itself, without waiting for the device's next batch. (Writing one here would
        // race the server's close: a write to a finished call can fail as Cancelled before the status is read.)
        // If it did not, the wait ends after 30 s as Cancelled and the assertion below fails.
        using var patience = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var error = await Assert.ThrowsAsync<RpcException>(() => call.ResponseStream.MoveNext(patience.Token));

        Assert.Equal(StatusCode.PermissionDenied, error.StatusCode);
        Assert.Single(await ReadingsAsync(Gateway, device.DeviceId));
    }

    [Fact]
    public async Task SendAndStream_BytesThatAreNotABatch_InvalidArgumentAndBatchesAckedBeforeThemKept()
    {
        var device = await RegisterAsync(Gateway, await CreatePatientAsync(Gateway));
        using var channel = Channel(Gateway);
        var invoker = channel.CreateCallInvoker();
        var raw = Marshallers.Create<byte[]>(bytes => bytes, bytes => bytes);
        var ack = Marshallers.Create<IngestAck>(a => a.ToByteArray(), IngestAck.Parser.ParseFrom);
        const string service = "healthdataspace.telemetry.v1.TelemetryIngest";
        // A batch whose only message is cut off after its tag and length.
        byte[] cut = [0x12, 0x40, 0x0A, 0x03, 0x61];

        var sendError = await Assert.ThrowsAsync<RpcException>(async () => await invoker.AsyncUnaryCall(
            new Method<byte[], IngestAck>(MethodType.Unary, service, "Send", raw, ack), null, new CallOptions(SasHeaders(device.Sas())), cut));
        using var call = invoker.AsyncDuplexStreamingCall(
            new Method<byte[], IngestAck>(MethodType.DuplexStreaming, service, "Stream", raw, ack), null, new CallOptions(SasHeaders(device.Sas())));
        await call.RequestStream.WriteAsync(Batch("good", Measurement(device.DeviceId, "m1", "heartrate", 70, T0)).ToByteArray());
        Assert.True(await call.ResponseStream.MoveNext());
        var firstAck = call.ResponseStream.Current;
        await call.RequestStream.WriteAsync(cut);
        var streamError = await Assert.ThrowsAsync<RpcException>(() => call.ResponseStream.MoveNext());

        Assert.Equal(StatusCode.InvalidArgument, sendError.StatusCode);
        Assert.Equal(StatusCode.InvalidArgument, streamError.StatusCode);
        Assert.Contains("not a readable TelemetryBatch", streamError.Status.Detail, StringComparison.Ordinal);
        Assert.Contains("not a readable TelemetryBatch", sendError.Status.Detail, StringComparison.Ordinal);
        Assert.Equal(1, firstAck.Accepted);
        Assert.Single(await ReadingsAsync(Gateway, device.DeviceId));
    }

    [Fact]
    public async Task Send_MeasurementWithoutTimeInMessageWithoutEnqueuedTime_TakesTheReceiveTime()
    {
        var device = await RegisterAsync(Gateway, await CreatePatientAsync(Gateway));
        using var channel = Channel(Gateway);
        var client = new TelemetryIngest.TelemetryIngestClient(channel);
        var untimed = new TelemetryMessage
        {
            DeviceId = device.DeviceId,
            MessageId = "untimed",
            Measurements = new Measurements { Items = { new Contracts.Telemetry.V1.Measurement { Type = "heartrate", Value = 64 } } },
        };
        var before = DateTimeOffset.UtcNow;

        var ack = await client.SendAsync(Batch("b", untimed), SasHeaders(device.Sas()));
        var after = DateTimeOffset.UtcNow;

        Assert.Equal(1, ack.Accepted);
        var time = Assert.Single(await ReadingsAsync(Gateway, device.DeviceId)).GetProperty("time").GetDateTimeOffset();
        Assert.InRange(time, before.AddSeconds(-1), after.AddSeconds(1));
    }
}
