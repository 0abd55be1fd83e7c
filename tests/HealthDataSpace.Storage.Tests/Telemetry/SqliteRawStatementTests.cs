using HealthDataSpace.Storage.Telemetry;
using Microsoft.Data.Sqlite;

namespace HealthDataSpace.Storage.Tests.Telemetry;

/// <summary>
/// The raw statement skips re-binding an integer or NULL a parameter already holds: every row must still carry exactly
/// the values bound for it, whatever was bound to each parameter before (another integer, NULL, text, a blob).
/// </summary>
public sealed class SqliteRawStatementTests
{
    [Fact]
    public void Execute_ValuesRepeatedAndChangedAcrossKinds_EveryRowHoldsWhatWasBoundForIt()
    {
        using var connection = new SqliteConnection("Data Source=:memory:");
        connection.Open();
        using (var create = connection.CreateCommand())
        {
            create.CommandText = "CREATE TABLE t (n INTEGER PRIMARY KEY, a, b, c)";
            create.ExecuteNonQuery();
        }

        using (var insert = new SqliteRawStatement(connection, "INSERT INTO t (n, a, b, c) VALUES (?1, ?2, ?3, ?4)"))
        {
            void Row(long n, Action<SqliteRawStatement> bind)
            {
                insert.BindInt64(1, n);
                bind(insert);
                Assert.Equal(1, insert.Execute());
            }

            Row(1, s => { s.BindInt64(2, 5); s.BindNull(3); s.BindText(4, "x"); });
            Row(2, s => { s.BindInt64(2, 5); s.BindNull(3); s.BindText(4, "y"); });
            Row(3, s => { s.BindText(2, "text"); s.BindInt64(3, 7); s.BindBlob(4, [1, 2]); });
            Row(4, s => { s.BindInt64(2, 5); s.BindInt64(3, 7); s.BindNull(4); });
            Row(5, s => { s.BindInt64(2, 5); s.BindNull(3); s.BindNull(4); });
            Row(6, s => { s.BindBlob(2, [9]); s.BindNull(3); s.BindInt64(4, 0); });
            Row(7, s => { s.BindInt64(2, 5); s.BindInt64(3, 8); s.BindInt64(4, 0); });
            // A body, then none, then a body, then none: the message keys' way of binding a JSON body or NULL.
            Row(8, s => { s.BindBlobOrNull(2, []); s.BindBlobOrNull(3, [7]); s.BindBlobOrNull(4, []); });
            Row(9, s => { s.BindBlobOrNull(2, [1]); s.BindBlobOrNull(3, []); s.BindBlobOrNull(4, [2]); });
            Row(10, s => { s.BindBlobOrNull(2, []); s.BindBlobOrNull(3, []); s.BindBlobOrNull(4, []); });
        }

        using var read = connection.CreateCommand();
        read.CommandText = "SELECT n, quote(a), quote(b), quote(c) FROM t ORDER BY n";
        using var reader = read.ExecuteReader();
        var rows = new List<string>();
        while (reader.Read())
        {
            rows.Add($"{reader.GetInt64(0)}: {reader.GetString(1)} {reader.GetString(2)} {reader.GetString(3)}");
        }

        Assert.Equal(
        [
            "1: 5 NULL 'x'",
            "2: 5 NULL 'y'",
            "3: 'text' 7 X'0102'",
            "4: 5 7 NULL",
            "5: 5 NULL NULL",
            "6: X'09' NULL 0",
            "7: 5 8 0",
            "8: NULL X'07' NULL",
            "9: X'01' NULL X'02'",
            "10: NULL NULL NULL",
        ], rows);
    }
}
