using System.Security.Cryptography;
using System.Text.Json;
using HealthDataSpace.Gateway.Hosting;
using Microsoft.IdentityModel.Tokens;

namespace HealthDataSpace.Gateway.Auth;

/// <summary>
/// The development issuer's RSA-2048 signing key, kept in <c>{dataPath}/dev-issuer/signing-key.json</c> (mode 600).
/// Shared by the gateway (which publishes the public half) and <c>hds token</c> (which signs with it).
/// </summary>
internal sealed class DevelopmentSigningKey : IDisposable
{
    public const string FolderName = "dev-issuer";
    public const string FileName = "signing-key.json";

    private readonly RSA _rsa;

    private DevelopmentSigningKey(RSA rsa, string keyId)
    {
        _rsa = rsa;
        KeyId = keyId;
        SecurityKey = new RsaSecurityKey(rsa) { KeyId = keyId };
    }

    public string KeyId { get; }

    /// <summary>The private key, for signing.</summary>
    public RsaSecurityKey SecurityKey { get; }

    public static string PathFor(string dataPath) => Path.Combine(dataPath, FolderName, FileName);

    /// <summary>Loads the key from the data folder, creating it on first use.</summary>
    public static DevelopmentSigningKey LoadOrCreate(string dataPath)
    {
        var path = PathFor(dataPath);
        if (!File.Exists(path))
        {
            TryCreate(path);
        }

        var stored = JsonSerializer.Deserialize(File.ReadAllText(path), StoredKeyJsonContext.Default.StoredKey)
            ?? throw new InvalidDataException($"The development signing key file '{path}' is empty.");
        var rsa = RSA.Create();
        try
        {
            rsa.ImportFromPem(stored.PrivateKeyPem);
            return new DevelopmentSigningKey(rsa, stored.KeyId);
        }
        catch
        {
            rsa.Dispose();
            throw;
        }
    }

    /// <summary>The public key as a JWK for the JWKS document.</summary>
    public JsonWebKey ToPublicJsonWebKey()
    {
        var jwk = JsonWebKeyConverter.ConvertFromRSASecurityKey(new RsaSecurityKey(_rsa.ExportParameters(false)));
        jwk.KeyId = KeyId;
        jwk.Use = JsonWebKeyUseNames.Sig;
        jwk.Alg = SecurityAlgorithms.RsaSha256;
        return jwk;
    }

    public void Dispose() => _rsa.Dispose();

    private static void TryCreate(string path) => Hosting.DevelopmentSecretFile.CreateIfMissing(path, () =>
    {
        using var rsa = RSA.Create(2048);
        var kid = Base64UrlEncoder.Encode(
            new RsaSecurityKey(rsa.ExportParameters(false)).ComputeJwkThumbprint());
        return JsonSerializer.Serialize(
            new StoredKey(kid, DateTimeOffset.UtcNow, rsa.ExportPkcs8PrivateKeyPem()),
            StoredKeyJsonContext.Default.StoredKey);
    });
}

internal sealed record StoredKey(string KeyId, DateTimeOffset CreatedUtc, string PrivateKeyPem);

[System.Text.Json.Serialization.JsonSerializable(typeof(StoredKey))]
[System.Text.Json.Serialization.JsonSourceGenerationOptions(
    PropertyNamingPolicy = System.Text.Json.Serialization.JsonKnownNamingPolicy.CamelCase, WriteIndented = true)]
internal sealed partial class StoredKeyJsonContext : System.Text.Json.Serialization.JsonSerializerContext;
