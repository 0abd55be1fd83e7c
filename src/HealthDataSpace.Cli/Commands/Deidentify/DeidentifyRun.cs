namespace HealthDataSpace.Cli.Commands.Deidentify;

/// <summary>The options of one <c>hds deidentify</c> run, as the Microsoft tool's command line has them.</summary>
internal sealed record DeidentifyRun(
    string InputFolder,
    string OutputFolder,
    bool BulkData,
    bool Recursive,
    bool SkipExisting,
    bool Verbose,
    bool ValidateInput,
    bool ValidateOutput);

/// <summary>What one file gave: resources written, resources left out, problems reported.</summary>
internal sealed record FileOutcome(int Resources, int Skipped, bool Written);

/// <summary>A file that stops the run (processingErrors raise): its path, line and the problem, never its content.</summary>
internal sealed class DeidentifyFailedException : Exception
{
    public DeidentifyFailedException()
    {
    }

    public DeidentifyFailedException(string message)
        : base(message)
    {
    }

    public DeidentifyFailedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
