using Grpc.Health.V1;
using Grpc.Net.Client;
using HealthDataSpace.Gateway.Tests.Infrastructure;

namespace HealthDataSpace.Gateway.Tests.Fhir;

/// <summary>The gRPC side of the gateway answers the standard health protocol without a token, as probes need.</summary>
[Collection(GatewayTestGroup.Name)]
public sealed class GrpcHealthTests(GatewayFixture fixture)
{
    [Fact]
    public async Task Check_Anonymous_Serving()
    {
        using var channel = GrpcChannel.ForAddress(fixture.Gateway.Server.BaseAddress, new GrpcChannelOptions
        {
            HttpHandler = fixture.Gateway.Server.CreateHandler(),
        });

        var reply = await new Health.HealthClient(channel).CheckAsync(new HealthCheckRequest());

        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, reply.Status);
    }
}
