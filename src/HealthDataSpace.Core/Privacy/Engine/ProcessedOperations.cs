namespace HealthDataSpace.Core.Privacy;

/// <summary>What was done to a resource, for its <c>meta.security</c> labels (as the anonymizer labels them).</summary>
[Flags]
internal enum ProcessedOperations
{
    None = 0,
    Redact = 1,
    Abstract = 2,
    CryptoHash = 4,
    Encrypt = 8,
    Perturb = 16,
    Substitute = 32,
    Generalize = 64,
}

/// <summary>A resource the engine could not anonymize (a generalize case that fails, a substitute that does not fit).</summary>
public sealed class AnonymizationProcessingException : Exception
{
    public AnonymizationProcessingException(string message)
        : base(message)
    {
    }

    public AnonymizationProcessingException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public AnonymizationProcessingException()
    {
    }
}
