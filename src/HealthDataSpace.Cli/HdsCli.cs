using System.CommandLine;
using HealthDataSpace.Cli.Commands;

namespace HealthDataSpace.Cli;

/// <summary>The <c>hds</c> command tree. One file per command under Commands/.</summary>
internal static class HdsCli
{
    /// <summary>Exit code for bad usage (unknown option value, parse error).</summary>
    public const int UsageError = 2;

    public static RootCommand Build()
    {
        var root = new RootCommand("hds: the HealthDataSpace command line.");
        root.Add(TokenCommand.Create());
        root.Add(DeidentifyCommand.Create());
        root.Add(DeviceCommand.Create());
        root.Add(DemoCommand.Create());
        return root;
    }

    public static async Task<int> RunAsync(string[] args, InvocationConfiguration? invocation = null, CancellationToken cancellationToken = default)
    {
        var parseResult = Build().Parse(args);
        if (parseResult.Errors.Count > 0)
        {
            var error = invocation?.Error ?? Console.Error;
            foreach (var parseError in parseResult.Errors)
            {
                await error.WriteLineAsync(parseError.Message);
            }

            return UsageError;
        }

        return await parseResult.InvokeAsync(invocation, cancellationToken);
    }
}
