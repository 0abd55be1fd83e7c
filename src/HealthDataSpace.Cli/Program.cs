namespace HealthDataSpace.Cli;

// An explicit, namespaced entry point: a top-level Program would collide with the gateway's global Program in the
// test project, which references both.
internal static class Program
{
    public static Task<int> Main(string[] args) => HdsCli.RunAsync(args);
}
