namespace HealthDataSpace.Cli.Commands.Demo;

/// <summary>A demo step failed; the message says which and why. The demo prints it and exits 1, without a stack trace.</summary>
internal sealed class DemoFailedException : Exception
{
    public DemoFailedException()
    {
    }

    public DemoFailedException(string message)
        : base(message)
    {
    }

    public DemoFailedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
