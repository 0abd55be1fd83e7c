using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;

namespace HealthDataSpace.Benchmarks.Infrastructure;

/// <summary>
/// Runs a BenchmarkDotNet class the way every micro-benchmark here does: short job, in-process (the generated project
/// would not build under central package management), artifacts in the temp folder. Exit code 1 when anything failed.
/// </summary>
internal static class MicroBenchmark
{
    public static int Run<T>(Action<Summary> report)
    {
        var config = DefaultConfig.Instance
            .AddJob(Job.ShortRun.WithToolchain(InProcessEmitToolchain.Instance))
            .WithArtifactsPath(Path.Combine(Path.GetTempPath(), "hds-benchmarks"));
        var summary = BenchmarkRunner.Run<T>(config);
        report(summary);
        return summary.HasCriticalValidationErrors || summary.Reports.Any(r => !r.Success) ? 1 : 0;
    }
}
