using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using HealthDataSpace.Core.Fhir;
using HealthDataSpace.Core.Privacy;
using Spectre.Console;

namespace HealthDataSpace.Cli.Commands.Deidentify;

/// <summary>
/// Runs <c>hds deidentify</c> over a folder, files in parallel. Every output file is written to a temporary file and
/// renamed only when complete, so an interrupted or failed run never leaves a half-written file. A resource that
/// cannot be parsed is reported with file and line; under <c>processingErrors: raise</c> it stops the run (exit 1),
/// under <c>skip</c> it is left out. Messages name files, lines and structural problems, never resource content.
/// </summary>
internal sealed class DeidentifyRunner(AnonymizationEngine engine, DeidentifyRun run, TextWriter output, TextWriter error)
{
    private readonly Lock _errorLock = new();
    private int _resources;
    private int _skippedResources;
    private int _writtenFiles;
    private int _skippedFiles;

    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        if (!Directory.Exists(run.InputFolder))
        {
            await error.WriteLineAsync($"Error: the input folder '{run.InputFolder}' does not exist.");
            return HdsCli.UsageError;
        }

        if (string.Equals(run.InputFolder.TrimEnd(Path.DirectorySeparatorChar), run.OutputFolder.TrimEnd(Path.DirectorySeparatorChar), StringComparison.Ordinal))
        {
            await error.WriteLineAsync("Error: the input and output folders are the same; choose another output folder.");
            return HdsCli.UsageError;
        }

        Directory.CreateDirectory(run.OutputFolder);
        var files = Directory.EnumerateFiles(run.InputFolder, run.BulkData ? "*.ndjson" : "*.json",
                run.Recursive ? SearchOption.AllDirectories : SearchOption.TopDirectoryOnly)
            .Where(f => !f.StartsWith(run.OutputFolder + Path.DirectorySeparatorChar, StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
            .ToList();
        await error.WriteLineAsync($"Found {files.Count} {(run.BulkData ? "bulk data (.ndjson)" : "JSON")} files in '{run.InputFolder}'.");

        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(error) });
        try
        {
            await console.Progress().AutoClear(false).StartAsync(async context =>
            {
                var progress = context.AddTask("de-identifying", maxValue: Math.Max(1, files.Count));
                await Parallel.ForEachAsync(files, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount, CancellationToken = cancellationToken },
                    async (file, token) =>
                    {
                        var outcome = run.BulkData ? await ProcessNdjsonAsync(file, token) : await ProcessJsonAsync(file, token);
                        Interlocked.Add(ref _resources, outcome.Resources);
                        Interlocked.Add(ref _skippedResources, outcome.Skipped);
                        Interlocked.Increment(ref outcome.Written ? ref _writtenFiles : ref _skippedFiles);
                        progress.Increment(1);
                    });
            });
        }
        catch (DeidentifyFailedException e)
        {
            await error.WriteLineAsync($"Error: {e.Message}");
            await error.WriteLineAsync("The run stopped (processingErrors: raise); files already finished are complete, no file was half-written.");
            return 1;
        }

        await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
            $"Finished: {_writtenFiles} files written with {_resources} resources; {_skippedFiles} files and {_skippedResources} resources skipped. Output: {run.OutputFolder}"));
        return 0;
    }

    private async Task<FileOutcome> ProcessJsonAsync(string file, CancellationToken cancellationToken)
    {
        var target = TargetPath(file);
        if (run.SkipExisting && File.Exists(target))
        {
            Report($"Skipped {Relative(file)}: it already exists in the output folder.", always: false);
            return new FileOutcome(0, 0, Written: false);
        }

        var bytes = await File.ReadAllBytesAsync(file, cancellationToken);
        var anonymized = Anonymize(bytes, file, line: null, indented: true);
        if (anonymized is null)
        {
            return new FileOutcome(0, 1, Written: false);
        }

        await WriteAtomicallyAsync(target, anonymized.Value.Bytes, cancellationToken);
        Report($"{Relative(file)}: {anonymized.Value.Resources} resources", always: false);
        return new FileOutcome(anonymized.Value.Resources, 0, Written: true);
    }

    private async Task<FileOutcome> ProcessNdjsonAsync(string file, CancellationToken cancellationToken)
    {
        var target = TargetPath(file);
        if (run.SkipExisting && File.Exists(target))
        {
            Report($"Skipped {Relative(file)}: it already exists in the output folder.", always: false);
            return new FileOutcome(0, 0, Written: false);
        }

        var temp = TempPath(target);
        int resources = 0, skipped = 0, lineNumber = 0;
        try
        {
            using (var reader = new StreamReader(file, Encoding.UTF8))
            await using (var writer = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true))
            {
                while (await reader.ReadLineAsync(cancellationToken) is { } line)
                {
                    lineNumber++;
                    if (string.IsNullOrWhiteSpace(line))
                    {
                        continue;
                    }

                    if (Anonymize(Encoding.UTF8.GetBytes(line), file, lineNumber, indented: false) is { } anonymized)
                    {
                        await writer.WriteAsync(anonymized.Bytes, cancellationToken);
                        writer.WriteByte((byte)'\n');
                        resources += anonymized.Resources;
                    }
                    else
                    {
                        skipped++;
                    }
                }
            }

            File.Move(temp, target, overwrite: true);
        }
        finally
        {
            File.Delete(temp);
        }

        Report($"{Relative(file)}: {resources} resources, {skipped} skipped", always: false);
        return new FileOutcome(resources, skipped, Written: true);
    }

    /// <summary>One resource (a file, or an NDJSON line); null when it is skipped.</summary>
    private (byte[] Bytes, int Resources)? Anonymize(byte[] json, string file, int? line, bool indented)
    {
        var where = line is null ? Relative(file) : $"{Relative(file)}, line {line}";
        if (run.ValidateInput)
        {
            Validate(json, where, "input");
        }

        var buffer = new ArrayBufferWriter<byte>(json.Length);
        int resources;
        try
        {
            using var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = indented, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
            resources = engine.Anonymize(json, writer, new AnonymizationInput(file, run.InputFolder));
        }
        catch (FhirParseException e)
        {
            // Within an NDJSON line the parser's line is always 1; the file's line is what a reader needs.
            var position = line is null ? $"{Relative(file)}: line {e.Line}, position {e.Position}" : $"{where}, position {e.Position}";
            return Skip($"{position}: not a FHIR R4 resource: {e.Problem}.");
        }
        catch (AnonymizationProcessingException e)
        {
            return Skip($"{where}: {e.Message}");
        }

        var bytes = buffer.WrittenSpan.ToArray();
        if (run.ValidateOutput)
        {
            Validate(bytes, where, "output");
        }

        return (bytes, resources);
    }

    private (byte[] Bytes, int Resources)? Skip(string problem)
    {
        if (engine.Policy.ProcessingErrors == ProcessingErrorsMode.Raise)
        {
            throw new DeidentifyFailedException(problem);
        }

        Report($"Skipped {problem}", always: true);
        return null;
    }

    private void Validate(byte[] json, string where, string side)
    {
        try
        {
            FhirJson.ParseResource(json);
        }
        catch (FhirException e)
        {
            var details = e.Details?.Take(5).ToList() ?? [];
            Report($"{where}: {side} validation: {e.Message} {string.Join("; ", details)}", always: true);
        }
    }

    private static async Task WriteAtomicallyAsync(string target, byte[] bytes, CancellationToken cancellationToken)
    {
        var temp = TempPath(target);
        try
        {
            await File.WriteAllBytesAsync(temp, bytes, cancellationToken);
            File.Move(temp, target, overwrite: true);
        }
        finally
        {
            File.Delete(temp);
        }
    }

    private string TargetPath(string file)
    {
        var target = Path.Combine(run.OutputFolder, Path.GetRelativePath(run.InputFolder, file));
        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        return target;
    }

    private static string TempPath(string target) => $"{target}.{Guid.NewGuid():N}.tmp";

    private string Relative(string file) => Path.GetRelativePath(run.InputFolder, file);

    private void Report(string message, bool always)
    {
        if (always || run.Verbose)
        {
            lock (_errorLock)
            {
                error.WriteLine(message);
            }
        }
    }
}
