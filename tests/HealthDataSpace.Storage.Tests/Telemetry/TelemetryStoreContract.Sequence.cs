using HealthDataSpace.Core.Telemetry.Devices;

namespace HealthDataSpace.Storage.Tests.Telemetry;

public abstract partial class TelemetryStoreContract
{
    [Fact]
    public async Task ReadAfter_FromCheckpoint_EachReadingOnceInAppendOrder()
    {
        await Store.AppendAsync([Message("dev-1", "m1", ("hr", T0, "1"), ("hr", T0, "2"))], CancellationToken.None);
        await Store.AppendAsync([Message("dev-2", "m1", ("hr", T0, "3"))], CancellationToken.None);

        var first = await Store.ReadAfterAsync(0, 2, CancellationToken.None);
        await Store.SetCheckpointAsync("projection", first[^1].Sequence, CancellationToken.None);
        var resumed = await Store.ReadAfterAsync(await Store.GetCheckpointAsync("projection", CancellationToken.None), 10, CancellationToken.None);

        Assert.Equal(["1", "2"], first.Select(r => r.Reading.Values[0].Value));
        Assert.Equal(["3"], resumed.Select(r => r.Reading.Values[0].Value));
        Assert.Equal(0, await Store.GetCheckpointAsync("someone-else", CancellationToken.None));
    }

    [Fact]
    public async Task Append_ConcurrentCallers_AllStoredWithDistinctIncreasingSequences()
    {
        var tasks = Enumerable.Range(0, 8).Select(caller => Task.Run(async () =>
        {
            for (var batch = 0; batch < 10; batch++)
            {
                await Store.AppendAsync(
                    [.. Enumerable.Range(0, 5).Select(i => Message($"dev-{caller}", $"b{batch}-m{i}", ("hr", T0.AddSeconds(batch * 5 + i), "1")))],
                    CancellationToken.None);
            }
        }));
        await Task.WhenAll(tasks);

        var all = await Store.ReadAfterAsync(0, 10_000, CancellationToken.None);

        Assert.Equal(400, all.Count);
        Assert.Equal(400, all.Select(r => r.Sequence).Distinct().Count());
        Assert.Equal(all.Select(r => r.Sequence).Order(), all.Select(r => r.Sequence));
    }

    [Fact]
    public async Task Registry_AddFindRotateRevoke_BehavesAsDocumented()
    {
        var registration = new DeviceRegistration("dev-1", "Patient/p1", null, "edge-1", "hospital-a", false, "{\"text\":\"watch\"}",
            T0, null, [1, 2, 3]);

        var added = await Registry.TryAddAsync(registration, CancellationToken.None);
        var again = await Registry.TryAddAsync(registration with { Owner = "hospital-b" }, CancellationToken.None);
        await Registry.SetFhirDeviceAsync("dev-1", "fhir-dev-1", CancellationToken.None);
        var rotated = await Registry.ReplaceKeysAsync("dev-1", [4, 5, 6], CancellationToken.None);
        var found = await Registry.FindAsync("dev-1", CancellationToken.None);
        var revoked = await Registry.RevokeAsync("dev-1", T0.AddDays(1), CancellationToken.None);
        var revokedTwice = await Registry.RevokeAsync("dev-1", T0.AddDays(2), CancellationToken.None);
        var rotatedAfterRevoke = await Registry.ReplaceKeysAsync("dev-1", [7], CancellationToken.None);
        var afterRevoke = await Registry.FindAsync("dev-1", CancellationToken.None);

        Assert.True(added);
        Assert.False(again);
        Assert.True(rotated);
        Assert.Equal(registration with { FhirDeviceId = "fhir-dev-1", SealedKeys = found!.SealedKeys }, found);
        Assert.Equal([4, 5, 6], found.SealedKeys);
        Assert.True(revoked);
        Assert.False(revokedTwice);
        Assert.False(rotatedAfterRevoke);
        Assert.Equal(T0.AddDays(1), afterRevoke!.RevokedAt);
        Assert.Equal([4, 5, 6], afterRevoke.SealedKeys);
        Assert.Null(await Registry.FindAsync("dev-unknown", CancellationToken.None));
    }

    [Fact]
    public async Task Registry_Remove_FreesTheId()
    {
        var registration = new DeviceRegistration("dev-1", "Patient/p1", null, null, "steward", true, null, T0, null, [1]);
        await Registry.TryAddAsync(registration, CancellationToken.None);

        await Registry.RemoveAsync("dev-1", CancellationToken.None);

        Assert.Null(await Registry.FindAsync("dev-1", CancellationToken.None));
        Assert.True(await Registry.TryAddAsync(registration, CancellationToken.None));
        Assert.True((await Registry.FindAsync("dev-1", CancellationToken.None))!.OwnerIsSteward);
    }
}
