using System.Diagnostics;

namespace HealthDataSpace.Storage.Tests.Infrastructure;

/// <summary>Runs one of the infra/local service scripts (postgres.sh, azurite.sh) and returns what it printed.</summary>
internal static class LocalServiceScript
{
    public static async Task<string> RunAsync(string script, string verb, string folder)
    {
        var path = Path.Combine(RepositoryPaths.Root, "infra", "local", script);
        var start = new ProcessStartInfo("bash", [path, verb, folder])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not run infra/local/{script}.");
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"infra/local/{script} {verb} failed ({process.ExitCode}): {await errors}");
        }

        return await output;
    }
}
