using HealthDataSpace.Core.Fhir.Store;
using Hl7.Fhir.Model;
using HealthDataSpace.Storage.Fhir;
using HealthDataSpace.Storage.Tests.Infrastructure;

namespace HealthDataSpace.Storage.Tests.Fhir;

/// <summary>The store contract against a real PostgreSQL server, in a database of its own.</summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresFhirStoreTests(PostgresServer server) : FhirStoreContract
{
    private PostgresTestDatabase? database;

    protected override async Task<IFhirStore> CreateStoreAsync()
    {
        database = await server.CreateTestDatabaseAsync();
        return FhirStoreFactory.CreatePostgres(database.DataSource);
    }

    protected override async Task<int> ExecuteSqlAsync(string sql)
    {
        await using var command = database!.DataSource.CreateCommand(sql);
        return await command.ExecuteNonQueryAsync();
    }

    public override async Task DisposeAsync()
    {
        if (database is not null)
        {
            await database.DisposeAsync();
        }
    }

    /// <summary>
    /// PostgreSQL refuses NUL characters in text (SQLite stores them), so a name containing one makes the database
    /// itself fail the middle entry when its index rows are written: it must be rolled back alone, the others kept.
    /// </summary>
    [Fact]
    public async Task Batch_DatabaseRefusesOneEntry_OnlyThatEntryFails()
    {
        var bundle = new Bundle { Type = Bundle.BundleType.Batch };
        foreach (var family in new[] { "Before", "Nul\0Byte", "After" })
        {
            bundle.Entry.Add(new Bundle.EntryComponent
            {
                Resource = new Patient { Name = [new HumanName { Family = family }] },
                Request = new Bundle.RequestComponent { Method = Bundle.HTTPVerb.POST, Url = "Patient" },
            });
        }

        var response = await Engine.TransactionAsync(Infrastructure.FhirTestEngine.HospitalA, bundle);
        var stored = await Engine.SearchAsync(Infrastructure.FhirTestEngine.HospitalA, "Patient", "_summary=count");

        Assert.Equal(["201 Created", "500", "201 Created"], response.Entry.Select(e => e.Response.Status));
        Assert.Equal(2, stored.Total);
    }
}
