using System.Globalization;
using System.Runtime;
using System.Runtime.InteropServices;

namespace HealthDataSpace.Benchmarks.Infrastructure;

/// <summary>What a reader needs to judge a figure: when, on what hardware and runtime, and how busy the box was.</summary>
internal sealed record MachineFacts(
    DateTimeOffset StartedUtc,
    int LogicalCores,
    string Cpu,
    string Os,
    string Runtime,
    string ClientGc,
    string LoadAverageAtStart)
{
    public static MachineFacts Capture() => new(
        DateTimeOffset.UtcNow,
        Environment.ProcessorCount,
        CpuModel(),
        $"{RuntimeInformation.OSDescription} ({RuntimeInformation.OSArchitecture})",
        RuntimeInformation.FrameworkDescription,
        GCSettings.IsServerGC ? "server" : "workstation",
        LoadAverage());

    /// <summary>The 1/5/15-minute load averages (Linux only): a shared machine's noise, written down.</summary>
    public static string LoadAverage()
    {
        const string path = "/proc/loadavg";
        if (!File.Exists(path))
        {
            return "n/a";
        }

        var parts = File.ReadAllText(path).Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return parts.Length >= 3 ? string.Join(' ', parts[..3]) : "n/a";
    }

    public IEnumerable<string> Describe()
    {
        yield return string.Create(CultureInfo.InvariantCulture, $"- date: {StartedUtc:yyyy-MM-dd HH:mm} UTC");
        yield return string.Create(CultureInfo.InvariantCulture, $"- machine: {LogicalCores} logical cores, {Cpu}");
        yield return $"- OS: {Os}";
        yield return $"- runtime: {Runtime} (benchmark client: {ClientGc} GC)";
        yield return $"- load average (1/5/15 min) at start: {LoadAverageAtStart}";
    }

    private static string CpuModel()
    {
        const string path = "/proc/cpuinfo";
        if (!File.Exists(path))
        {
            return RuntimeInformation.ProcessArchitecture.ToString();
        }

        var model = File.ReadLines(path)
            .FirstOrDefault(line => line.StartsWith("model name", StringComparison.Ordinal))?
            .Split(':', 2)[1].Trim();
        return string.IsNullOrEmpty(model) ? RuntimeInformation.ProcessArchitecture.ToString() : model;
    }
}
