namespace HealthDataSpace.Core.Privacy;

/// <summary>
/// An invalid anonymization policy. The message names the offending rule by its index and path, and never quotes a
/// key or any other parameter value.
/// </summary>
public sealed class PolicyException : Exception
{
    public PolicyException(string message)
        : base(message)
    {
    }

    public PolicyException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public PolicyException()
    {
    }

    internal static PolicyException ForRule(PolicyRule rule, string problem) =>
        new($"{rule.Describe()}: {problem}");
}
