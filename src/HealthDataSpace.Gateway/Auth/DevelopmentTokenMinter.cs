using System.Security.Cryptography;
using System.Text;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace HealthDataSpace.Gateway.Auth;

/// <summary>What a development token says about its caller.</summary>
internal sealed record DevelopmentTokenRequest(
    IReadOnlyList<string> Roles,
    string ClientId,
    string Issuer,
    string Audience,
    TimeSpan Lifetime,
    string? Subject = null);

/// <summary>Mints RS256 access tokens shaped like Entra ID v2 app-only tokens, signed with the development key.</summary>
internal static class DevelopmentTokenMinter
{
    public const string DefaultIssuer = "http://127.0.0.1:5080/dev-issuer/local/v2.0";
    public const string DefaultAudience = "healthdataspace-gateway";

    public static string Mint(DevelopmentSigningKey key, DevelopmentTokenRequest request, DateTimeOffset? now = null)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(request);
        var issuedAt = (now ?? DateTimeOffset.UtcNow).UtcDateTime;
        var subject = string.IsNullOrWhiteSpace(request.Subject) ? StableSubjectFor(request.ClientId) : request.Subject;

        var descriptor = new SecurityTokenDescriptor
        {
            Issuer = request.Issuer,
            Audience = request.Audience,
            IssuedAt = issuedAt,
            NotBefore = issuedAt,
            Expires = issuedAt.Add(request.Lifetime),
            SigningCredentials = new SigningCredentials(key.SecurityKey, SecurityAlgorithms.RsaSha256)
            {
                // IdentityModel caches signature providers by key id; the key object is disposed after use, and a
                // cached provider would later sign with a disposed RSA instance.
                CryptoProviderFactory = new CryptoProviderFactory { CacheSignatureProviders = false },
            },
            Claims = new Dictionary<string, object>
            {
                ["azp"] = request.ClientId,
                ["oid"] = subject,
                ["sub"] = subject,
                ["roles"] = request.Roles.ToArray(),
                ["ver"] = "2.0",
            },
        };
        return new JsonWebTokenHandler().CreateToken(descriptor);
    }

    /// <summary>The same client id always gets the same subject, like a service principal's object id.</summary>
    public static string StableSubjectFor(string clientId)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(clientId));
        return new Guid(hash.AsSpan(0, 16)).ToString();
    }
}
