using System.Net.Http.Headers;
using Grpc.Net.Client;
using HealthDataSpace.Gateway.Auth;

namespace HealthDataSpace.Cli.Commands.Demo;

/// <summary>
/// The demo's callers, each with its own development token signed by the gateway's development issuer key: a
/// hospital system, a data steward and a researcher (whose subject the permit names); and the gRPC channel the
/// wearables stream on (they authenticate with their own SAS tokens, not with these).
/// </summary>
internal sealed class DemoApi : IDisposable
{
    public const string HospitalClient = "demo-hospital";
    public const string StewardClient = "demo-steward";
    public const string ResearcherClient = "demo-research-portal";

    private static readonly TimeSpan TokenLifetime = TimeSpan.FromHours(8);

    private readonly SocketsHttpHandler _handler = new() { UseProxy = false, PooledConnectionLifetime = TimeSpan.FromMinutes(5) };

    public DemoApi(Uri baseAddress, Uri grpcAddress, string dataPath, string issuer)
    {
        BaseAddress = baseAddress;
        ResearcherSubject = DevelopmentTokenMinter.StableSubjectFor(ResearcherClient);
        using var key = DevelopmentSigningKey.LoadOrCreate(dataPath);
        Hospital = Client(key, GatewayRoles.Hospital, HospitalClient, issuer);
        Steward = Client(key, GatewayRoles.Steward, StewardClient, issuer);
        Researcher = Client(key, GatewayRoles.Researcher, ResearcherClient, issuer);
        Grpc = GrpcChannel.ForAddress(grpcAddress, new GrpcChannelOptions { HttpHandler = new SocketsHttpHandler { UseProxy = false } });
    }

    public Uri BaseAddress { get; }

    public HttpClient Hospital { get; }

    public HttpClient Steward { get; }

    public HttpClient Researcher { get; }

    /// <summary>The researcher token's <c>oid</c>: permits name researchers by it.</summary>
    public string ResearcherSubject { get; }

    public GrpcChannel Grpc { get; }

    public void Dispose()
    {
        Hospital.Dispose();
        Steward.Dispose();
        Researcher.Dispose();
        Grpc.Dispose();
        _handler.Dispose();
    }

    private HttpClient Client(DevelopmentSigningKey key, string role, string clientId, string issuer)
    {
        var token = DevelopmentTokenMinter.Mint(key, new DevelopmentTokenRequest([role], clientId, issuer, DevelopmentTokenMinter.DefaultAudience, TokenLifetime));
        // Big transaction bundles take a while on a busy machine; a step's own deadline decides, not HttpClient's 100 s.
        var client = new HttpClient(_handler, disposeHandler: false) { BaseAddress = BaseAddress, Timeout = TimeSpan.FromMinutes(10) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }
}
