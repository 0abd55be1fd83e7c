using System.CommandLine;
using System.Globalization;
using HealthDataSpace.Gateway.Auth;

namespace HealthDataSpace.Cli.Commands;

/// <summary>
/// <c>hds token</c>: mints a development-issuer token and prints only the JWT, so
/// <c>TOKEN=$(hds token --role Hospital)</c> works. Creates the signing key in the data folder if needed.
/// </summary>
internal static class TokenCommand
{
    private static readonly Dictionary<string, string> DefaultClientIds = new(StringComparer.Ordinal)
    {
        [GatewayRoles.Hospital] = "hospital-a",
        [GatewayRoles.Steward] = "steward-console",
        [GatewayRoles.Researcher] = "research-portal",
        [GatewayRoles.Device] = "edge-gateway",
    };

    public static Command Create()
    {
        var role = new Option<string[]>("--role")
        {
            Description = $"App role to put in the token: {string.Join(", ", GatewayRoles.All)}. Repeat for several.",
            Required = true,
            Arity = ArgumentArity.OneOrMore,
        };
        var clientId = new Option<string?>("--client-id") { Description = "Calling application id (azp). Default depends on the first role." };
        var subject = new Option<string?>("--subject") { Description = "Object id (oid/sub). Default: a stable id derived from the client id." };
        var data = new Option<string>("--data")
        {
            Description = "The gateway's Storage:DataPath, holding dev-issuer/signing-key.json. Default: ./data, or the gateway project's data folder when run from the repository root.",
            DefaultValueFactory = _ => DefaultDataPath(Directory.GetCurrentDirectory()),
        };
        var lifetime = new Option<string>("--lifetime") { Description = "Token lifetime, e.g. 8h, 30m, 1d.", DefaultValueFactory = _ => "8h" };
        var issuer = new Option<string>("--issuer") { Description = "Issuer (iss).", DefaultValueFactory = _ => DevelopmentTokenMinter.DefaultIssuer };
        var audience = new Option<string>("--audience") { Description = "Audience (aud): the gateway's AzureAd:ClientId.", DefaultValueFactory = _ => DevelopmentTokenMinter.DefaultAudience };

        var command = new Command("token", "Print a development token signed by the local development issuer.")
        {
            role, clientId, subject, data, lifetime, issuer, audience,
        };

        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var output = parseResult.InvocationConfiguration.Output;
            var error = parseResult.InvocationConfiguration.Error;

            var roles = new List<string>();
            foreach (var requested in parseResult.GetValue(role) ?? [])
            {
                var known = GatewayRoles.Normalize(requested);
                if (known is null)
                {
                    await error.WriteLineAsync($"Unknown role '{requested}'. Known roles: {string.Join(", ", GatewayRoles.All)}.");
                    return HdsCli.UsageError;
                }

                if (!roles.Contains(known))
                {
                    roles.Add(known);
                }
            }

            if (!TryParseLifetime(parseResult.GetValue(lifetime)!, out var tokenLifetime))
            {
                await error.WriteLineAsync("Invalid --lifetime. Use a positive number with s, m, h or d, e.g. 8h.");
                return HdsCli.UsageError;
            }

            var client = parseResult.GetValue(clientId);
            client = string.IsNullOrWhiteSpace(client) ? DefaultClientIds[roles[0]] : client;

            using var key = DevelopmentSigningKey.LoadOrCreate(parseResult.GetValue(data)!);
            var token = DevelopmentTokenMinter.Mint(key, new DevelopmentTokenRequest(
                roles,
                client,
                parseResult.GetValue(issuer)!,
                parseResult.GetValue(audience)!,
                tokenLifetime,
                parseResult.GetValue(subject)));

            cancellationToken.ThrowIfCancellationRequested();
            await output.WriteLineAsync(token);
            return 0;
        });

        return command;
    }

    /// <summary>
    /// <c>dotnet run --project src/HealthDataSpace.Gateway</c> runs the gateway in its project folder (launch profile),
    /// so its default <c>./data</c> is <c>src/HealthDataSpace.Gateway/data</c>. From the repository root the CLI uses
    /// that folder too, so both sides share one key without flags.
    /// </summary>
    internal static string DefaultDataPath(string currentDirectory)
    {
        var gatewayProject = Path.Combine(currentDirectory, "src", "HealthDataSpace.Gateway");
        return Directory.Exists(gatewayProject) ? Path.Combine(gatewayProject, "data") : Path.Combine(currentDirectory, "data");
    }

    internal static bool TryParseLifetime(string text, out TimeSpan lifetime)
    {
        lifetime = default;
        text = text.Trim();
        if (text.Length < 2)
        {
            return false;
        }

        if (!double.TryParse(text[..^1], NumberStyles.Float, CultureInfo.InvariantCulture, out var amount) || amount <= 0)
        {
            return TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out lifetime) && lifetime > TimeSpan.Zero;
        }

        lifetime = char.ToLowerInvariant(text[^1]) switch
        {
            's' => TimeSpan.FromSeconds(amount),
            'm' => TimeSpan.FromMinutes(amount),
            'h' => TimeSpan.FromHours(amount),
            'd' => TimeSpan.FromDays(amount),
            _ => TimeSpan.Zero,
        };
        return lifetime > TimeSpan.Zero;
    }
}
