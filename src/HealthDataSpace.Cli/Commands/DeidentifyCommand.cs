using System.CommandLine;
using HealthDataSpace.Cli.Commands.Deidentify;
using HealthDataSpace.Core.Privacy;

namespace HealthDataSpace.Cli.Commands;

/// <summary>
/// <c>hds deidentify</c>: anonymizes a folder of FHIR JSON files (resources or bundles) or NDJSON bulk files with a
/// policy in Microsoft's anonymizer format, taking the same options as that tool's command line (<c>-i -o -c -b -r -s
/// -v --validateInput --validateOutput</c>), so the two run side by side on the same files.
/// </summary>
internal static class DeidentifyCommand
{
    public static Command Create()
    {
        var input = new Option<string>("--in", "-i", "--inputFolder") { Description = "Folder of input resource files.", Required = true };
        var output = new Option<string>("--out", "-o", "--outputFolder") { Description = "Folder for the anonymized files (created if missing).", Required = true };
        var policy = new Option<string?>("--policy", "-c", "--configFile")
        {
            Description = "Policy in the Microsoft anonymizer's configuration format. Default: the shipped research policy (docs/pseudonymisation.md).",
        };
        var project = new Option<string?>("--project")
        {
            Description = "Research project: pseudonyms, encryption and date shifts use keys derived from the master key for it. " +
                          "Without it the policy's own keys are used (Microsoft-compatible mode).",
        };
        var masterKeyFile = new Option<string?>("--master-key-file")
        {
            Description = "File holding the base64 master key. Default: the Privacy__MasterKey environment variable, else the development key in --data.",
        };
        var data = new Option<string>("--data")
        {
            Description = "The gateway's Storage:DataPath, whose privacy/master-key is used (created if missing) when no other key is given.",
            DefaultValueFactory = _ => TokenCommand.DefaultDataPath(Directory.GetCurrentDirectory()),
        };
        var bulk = new Option<bool>("--bulkData", "-b") { Description = "Input files are NDJSON bulk data (*.ndjson) instead of JSON (*.json)." };
        var recursive = new Option<bool>("--recursive", "-r") { Description = "Process files in sub-folders too." };
        var skip = new Option<bool>("--skip", "-s") { Description = "Skip files already present in the output folder." };
        var verbose = new Option<bool>("--verbose", "-v") { Description = "One line per file on stderr." };
        var validateInput = new Option<bool>("--validateInput") { Description = "Also check every input resource against the FHIR R4 structure (Firely) and report problems." };
        var validateOutput = new Option<bool>("--validateOutput") { Description = "Also check every output resource against the FHIR R4 structure (Firely) and report problems." };

        var command = new Command("deidentify", "Anonymize FHIR JSON/NDJSON files with a Microsoft-anonymizer-compatible policy.")
        {
            input, output, policy, project, masterKeyFile, data, bulk, recursive, skip, verbose, validateInput, validateOutput,
        };

        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var error = parseResult.InvocationConfiguration.Error;
            AnonymizationEngine engine;
            try
            {
                var loaded = parseResult.GetValue(policy) is { } policyPath ? AnonymizationPolicy.LoadFile(policyPath) : AnonymizationPolicy.DefaultResearch;
                var domain = parseResult.GetValue(project) is { } projectName
                    ? PseudonymDomain.ForProject(MasterKeySource.Load(parseResult.GetValue(masterKeyFile), parseResult.GetValue(data)!), projectName)
                    : null;
                engine = AnonymizationEngine.Create(loaded, domain);
            }
            catch (Exception e) when (e is PolicyException or ArgumentException or IOException or UnauthorizedAccessException)
            {
                await error.WriteLineAsync($"Error: {e.Message}");
                return HdsCli.UsageError;
            }

            var options = new DeidentifyRun(
                Path.GetFullPath(parseResult.GetValue(input)!),
                Path.GetFullPath(parseResult.GetValue(output)!),
                parseResult.GetValue(bulk),
                parseResult.GetValue(recursive),
                parseResult.GetValue(skip),
                parseResult.GetValue(verbose),
                parseResult.GetValue(validateInput),
                parseResult.GetValue(validateOutput));
            return await new DeidentifyRunner(engine, options, parseResult.InvocationConfiguration.Output, error).RunAsync(cancellationToken);
        });

        return command;
    }
}
