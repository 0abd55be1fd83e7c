namespace HealthDataSpace.Benchmarks.Infrastructure;

/// <summary>
/// A benchmark could not produce trustworthy figures (the gateway failed to start, refused a bundle, ...). The run stops
/// with this message instead of reporting numbers for work that was not done.
/// </summary>
internal sealed class BenchmarkFailedException : Exception
{
    public BenchmarkFailedException()
    {
    }

    public BenchmarkFailedException(string message)
        : base(message)
    {
    }

    public BenchmarkFailedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
