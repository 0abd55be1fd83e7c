using HealthDataSpace.Core.Privacy;
using HealthDataSpace.Gateway.Features.Privacy;

namespace HealthDataSpace.Cli.Commands.Deidentify;

/// <summary>Where <c>hds deidentify --project</c> takes the master key from; the key itself is never printed.</summary>
internal static class MasterKeySource
{
    public const string EnvironmentVariable = "Privacy__MasterKey";

    public static byte[] Load(string? keyFile, string dataPath)
    {
        if (keyFile is not null)
        {
            return PseudonymDomain.DecodeMasterKey(File.ReadAllText(keyFile));
        }

        var fromEnvironment = Environment.GetEnvironmentVariable(EnvironmentVariable);
        return PseudonymDomain.DecodeMasterKey(string.IsNullOrWhiteSpace(fromEnvironment)
            ? DevelopmentMasterKey.LoadOrCreate(dataPath)
            : fromEnvironment);
    }
}
