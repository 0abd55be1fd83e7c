using System.CommandLine;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text.Json;
using HealthDataSpace.Cli;
using HealthDataSpace.Gateway.Auth;
using HealthDataSpace.Tests.Common;

namespace HealthDataSpace.Gateway.Tests.Research;

/// <summary>
/// <c>hds demo</c> end to end with its in-process gateway on the shared Synthea bundles, output captured (no
/// terminal): the dataset it reports is on disk in the data folder with the SHA-256 of its manifest, and the
/// withdrawal reached it; bad usage exits 2 and a failed step exits 1, each with a message and no stack trace.
/// </summary>
public sealed class DemoCommandTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "hds-tests", Guid.NewGuid().ToString("N"));
    private readonly StringWriter _output = new();
    private readonly StringWriter _error = new();

    private string Data => Path.Combine(_root, "data");

    [Fact]
    public async Task Demo_InProcessGatewayOnSharedSynthea_DeliversDatasetWithManifestHashesAndOneWithdrawal()
    {
        // Every shared Synthea patient, found where the demo looks by default (../shared/data/synthea). Fewer patients
        // would not do: under the gateway's k = 5 the 17 consenting patients of the 20-bundle folder are all suppressed.
        var patients = SyntheaData.PatientFiles.Count() + SyntheaData.HospitalPatientFiles.Count();

        var exit = await RunAsync("demo", "--data", Data, "--devices", "3");

        Assert.True(exit == 0, $"exit {exit}\nerror:\n{_error}\noutput:\n{_output}");
        Assert.Equal(string.Empty, _error.ToString());
        var output = _output.ToString();
        Assert.Contains($"{patients} patients", output, StringComparison.Ordinal);
        // 24 h of one heart-rate and one SpO2 reading a minute, for each of the 3 devices.
        Assert.Contains($"3 devices registered; {3 * 24 * 60 * 2:N0} readings acknowledged", output, StringComparison.Ordinal);
        Assert.Contains($"{patients - 3} opt-ins, 3 opt-outs", output, StringComparison.Ordinal);

        // The one dataset in the data folder's blob storage, read from disk as the partner would.
        var manifestPath = Assert.Single(Directory.GetFiles(Path.Combine(Data, "blobs"), "manifest.json", SearchOption.AllDirectories));
        var folder = Path.GetDirectoryName(manifestPath)!;
        using var manifest = JsonDocument.Parse(await File.ReadAllBytesAsync(manifestPath));
        var datasetId = manifest.RootElement.GetProperty("datasetId").GetString()!;
        Assert.Contains(datasetId, output, StringComparison.Ordinal);
        Assert.Contains(folder, output, StringComparison.Ordinal);

        var files = manifest.RootElement.GetProperty("files").EnumerateArray().ToList();
        Assert.Contains(files, f => f.GetProperty("path").GetString() == "Patient.ndjson");
        Assert.Contains(files, f => f.GetProperty("path").GetString() == "tables/patients.parquet");
        foreach (var file in files)
        {
            var bytes = await File.ReadAllBytesAsync(Path.Combine(folder, file.GetProperty("path").GetString()!));
            Assert.Equal(file.GetProperty("sha256").GetString(), Convert.ToHexStringLower(SHA256.HashData(bytes)));
            Assert.Equal(file.GetProperty("bytes").GetInt64(), bytes.LongLength);
        }

        // One withdrawal, of a patient the dataset had released.
        var released = (await File.ReadAllLinesAsync(Path.Combine(folder, "Patient.ndjson")))
            .Where(l => l.Length > 0).Select(l => JsonDocument.Parse(l).RootElement.GetProperty("id").GetString()).ToHashSet();
        var withdrawal = Assert.Single(await File.ReadAllLinesAsync(Path.Combine(folder, "withdrawals.ndjson")), l => l.Length > 0);
        using var notice = JsonDocument.Parse(withdrawal);
        Assert.Equal(datasetId, notice.RootElement.GetProperty("datasetId").GetString());
        Assert.Contains(notice.RootElement.GetProperty("id").GetString(), released);
        Assert.Contains(withdrawal, output, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(Data, "logs", "gateway.log")));
    }

    [Fact]
    public async Task Demo_SyntheaFolderMissing_Exits2NamingTheFolderAndStartsNothing()
    {
        var missing = Path.Combine(_root, "no-such-folder");

        var exit = await RunAsync("demo", "--synthea", missing, "--data", Data);

        Assert.Equal(2, exit);
        Assert.Contains($"The Synthea folder '{missing}' does not exist.", _error.ToString(), StringComparison.Ordinal);
        Assert.Equal(string.Empty, _output.ToString());
        Assert.False(Directory.Exists(Data));
    }

    [Theory]
    [InlineData("--grpc http://127.0.0.1:5081", "--grpc needs --gateway")]
    [InlineData("--issuer http://127.0.0.1:5080/dev-issuer/local/v2.0", "--issuer needs --gateway")]
    [InlineData("--devices -1", "--devices must be 0 or more")]
    [InlineData("--gateway ftp://example.org", "is not an absolute http(s) URL")]
    [InlineData("--gateway http://127.0.0.1:5080", "No development signing key at")]
    public async Task Demo_BadOptions_Exits2WithTheReason(string options, string reason)
    {
        var exit = await RunAsync(["demo", "--synthea", SyntheaData.PatientsFolder, "--data", Data, .. options.Split(' ')]);

        Assert.Equal(2, exit);
        Assert.Contains(reason, _error.ToString(), StringComparison.Ordinal);
        Assert.Equal(string.Empty, _output.ToString());
    }

    [Fact]
    public async Task Demo_GatewayNotListening_Exits1WithMessageAndNoStackTrace()
    {
        using (DevelopmentSigningKey.LoadOrCreate(Data))
        {
        }

        var closedPort = ClosedPort();

        var exit = await RunAsync("demo", "--gateway", $"http://127.0.0.1:{closedPort}", "--data", Data, "--synthea", SyntheaData.PatientsFolder);

        Assert.Equal(1, exit);
        var error = _error.ToString();
        Assert.Contains($"Reaching the gateway: no answer from the gateway at http://127.0.0.1:{closedPort}/", error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", error, StringComparison.Ordinal);
    }

    public void Dispose()
    {
        _output.Dispose();
        _error.Dispose();
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    /// <summary>A loopback port nothing listens on (the OS gave it out and it was released again).</summary>
    private static string ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port.ToString(CultureInfo.InvariantCulture);
    }

    private Task<int> RunAsync(params string[] args) =>
        HdsCli.RunAsync(args, new InvocationConfiguration { Output = _output, Error = _error });
}
