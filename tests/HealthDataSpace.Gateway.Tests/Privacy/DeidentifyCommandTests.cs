using System.CommandLine;
using System.Text.Json;
using HealthDataSpace.Cli;
using HealthDataSpace.Tests.Common;

namespace HealthDataSpace.Gateway.Tests.Privacy;

public sealed class DeidentifyCommandTests : IDisposable
{
    private const string SkipPolicy = """
        {"fhirVersion": "R4", "processingErrors": "skip",
         "fhirPathRules": [{"path": "Resource.id", "method": "cryptoHash"}, {"path": "nodesByType('HumanName')", "method": "redact"}],
         "parameters": {"cryptoHashKey": "cli-test-key"}}
        """;

    private readonly string _root = Path.Combine(Path.GetTempPath(), "hds-tests", Guid.NewGuid().ToString("N"));
    private readonly StringWriter _output = new();
    private readonly StringWriter _error = new();

    private string In => Path.Combine(_root, "in");

    private string Out => Path.Combine(_root, "out");

    private string Data => Path.Combine(_root, "data");

    public DeidentifyCommandTests() => Directory.CreateDirectory(In);

    [Fact]
    public async Task Run_FolderOfBundlesWithProject_WritesEachFileAnonymized()
    {
        File.Copy(SyntheaData.SmallestPatientFile, Path.Combine(In, "patient.json"));
        Directory.CreateDirectory(Path.Combine(In, "nested"));
        File.Copy(SyntheaData.SmallestPatientFile, Path.Combine(In, "nested", "again.json"));

        var exitCode = await RunAsync("deidentify", "--in", In, "--out", Out, "--project", "study-a", "--data", Data, "-r");

        Assert.Equal(0, exitCode);
        var written = File.ReadAllText(Path.Combine(Out, "patient.json"));
        Assert.DoesNotContain("Gustavo", written, StringComparison.Ordinal);
        Assert.DoesNotContain("999-68-8566", written, StringComparison.Ordinal);
        Assert.Equal(written, File.ReadAllText(Path.Combine(Out, "nested", "again.json")));
        Assert.Contains("Finished: 2 files written", _output.ToString(), StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(Out, "*.tmp", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task Run_NdjsonWithUnparsableLineUnderRaise_Exits1NamingFileAndLineAndWritesNothing()
    {
        await File.WriteAllLinesAsync(Path.Combine(In, "Patient.ndjson"),
            ["""{"resourceType": "Patient", "id": "a", "name": [{"family": "Petrov"}]}""", """{"resourceType": "Patient", "nmae": "Ivanov"}"""]);

        var exitCode = await RunAsync("deidentify", "-i", In, "-o", Out, "-b", "--project", "study-a", "--data", Data);

        Assert.Equal(1, exitCode);
        Assert.Contains("Patient.ndjson, line 2", _error.ToString(), StringComparison.Ordinal);
        Assert.Contains("'nmae' is not an element of Patient", _error.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("Ivanov", _error.ToString(), StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(Out, "*", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task Run_NdjsonUnderSkipPolicy_LeavesTheBadLineOutAndKeepsTheRest()
    {
        var policy = Path.Combine(_root, "policy.json");
        await File.WriteAllTextAsync(policy, SkipPolicy);
        await File.WriteAllLinesAsync(Path.Combine(In, "Patient.ndjson"),
        [
            """{"resourceType": "Patient", "id": "a", "name": [{"family": "Petrov"}]}""",
            "not json",
            """{"resourceType": "Patient", "id": "b", "gender": "female"}""",
        ]);

        var exitCode = await RunAsync("deidentify", "-i", In, "-o", Out, "-b", "-c", policy);

        Assert.Equal(0, exitCode);
        var lines = File.ReadAllLines(Path.Combine(Out, "Patient.ndjson"));
        Assert.Equal(2, lines.Length);
        Assert.DoesNotContain("Petrov", lines[0], StringComparison.Ordinal);
        Assert.Equal("female", JsonDocument.Parse(lines[1]).RootElement.GetProperty("gender").GetString());
        Assert.Contains("Patient.ndjson, line 2", _error.ToString(), StringComparison.Ordinal);
        Assert.Contains("1 resources skipped", _output.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_InvalidPolicy_Exits2NamingTheRule()
    {
        var policy = Path.Combine(_root, "policy.json");
        await File.WriteAllTextAsync(policy, """{"fhirPathRules": [{"path": "Patient.name", "method": "redact"}, {"path": "Patient.id", "method": "shuffle"}]}""");

        var exitCode = await RunAsync("deidentify", "-i", In, "-o", Out, "--policy", policy);

        Assert.Equal(2, exitCode);
        Assert.Contains("fhirPathRules[1] (path 'Patient.id')", _error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_DefaultPolicyWithoutProject_Exits2AskingForKeysOrAProject()
    {
        var exitCode = await RunAsync("deidentify", "-i", In, "-o", Out);

        Assert.Equal(2, exitCode);
        Assert.Contains("run with a project", _error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_SkipExisting_LeavesFilesAlreadyInTheOutputAlone()
    {
        var policy = Path.Combine(_root, "policy.json");
        await File.WriteAllTextAsync(policy, SkipPolicy);
        await File.WriteAllTextAsync(Path.Combine(In, "p.json"), """{"resourceType": "Patient", "id": "a"}""");
        Directory.CreateDirectory(Out);
        await File.WriteAllTextAsync(Path.Combine(Out, "p.json"), "previous run");

        var exitCode = await RunAsync("deidentify", "-i", In, "-o", Out, "-c", policy, "-s");

        Assert.Equal(0, exitCode);
        Assert.Equal("previous run", File.ReadAllText(Path.Combine(Out, "p.json")));
    }

    [Fact]
    public async Task Run_SameInputAndOutputFolder_Exits2()
    {
        var exitCode = await RunAsync("deidentify", "-i", In, "-o", In + Path.DirectorySeparatorChar, "--project", "x", "--data", Data);

        Assert.Equal(2, exitCode);
        Assert.Contains("the input and output folders are the same", _error.ToString(), StringComparison.Ordinal);
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

    private Task<int> RunAsync(params string[] args) =>
        HdsCli.RunAsync(args, new InvocationConfiguration { Output = _output, Error = _error });
}
