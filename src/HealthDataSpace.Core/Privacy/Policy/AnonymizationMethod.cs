namespace HealthDataSpace.Core.Privacy;

/// <summary>The rule vocabulary of Microsoft's FHIR anonymizer, matched case-insensitively as there.</summary>
public enum AnonymizationMethod
{
    Redact,
    Keep,
    DateShift,
    CryptoHash,
    Encrypt,
    Substitute,
    Perturb,
    Generalize,
}

/// <summary>What happens when a resource cannot be processed (the anonymizer's <c>processingErrors</c>).</summary>
public enum ProcessingErrorsMode
{
    /// <summary>Fail the run.</summary>
    Raise,

    /// <summary>Report and leave the resource out (a processing failure yields an empty, REDACTED-labelled resource).</summary>
    Skip,
}

/// <summary>Which resources share one date shift when no project is given (the anonymizer's <c>dateShiftScope</c>).</summary>
public enum DateShiftScope
{
    Resource,
    File,
    Folder,
}
