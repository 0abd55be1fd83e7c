using Grpc.Core;
using HealthDataSpace.Contracts.Research.V1;
using HealthDataSpace.Gateway.Auth;
using HealthDataSpace.Gateway.Tests.Telemetry;

namespace HealthDataSpace.Gateway.Tests.Research;

/// <summary>The gRPC twin of the REST count: the same numbers and the same refusals, as status codes with detail.</summary>
public sealed class CohortGrpcTests(CohortCountTests.SyntheaGateway data) : IClassFixture<CohortCountTests.SyntheaGateway>
{
    private Cohorts.CohortsClient Client => new(TelemetryTestClient.Channel(data.Gateway));

    private Metadata As(string subject) =>
        TelemetryTestClient.BearerHeaders(data.Identity.CreateToken([GatewayRoles.Researcher], "portal", subject: subject));

    [Fact]
    public async Task Count_SameAnswerAsRest()
    {
        const string criteria = """{"gender":"female"}""";
        var rest = await data.Researcher1.PostAsync(new Uri("/research/cohorts/$count", UriKind.Relative),
            new StringContent($$"""{"permit":"{{data.PermitId}}","criteria":{{criteria}},"stratify":["gender"]}""", System.Text.Encoding.UTF8, "application/json"));
        var restCount = System.Text.Json.JsonDocument.Parse(await rest.Content.ReadAsStringAsync()).RootElement.GetProperty("count").GetInt32();

        var reply = await Client.CountAsync(new CountRequest { PermitId = data.PermitId, CriteriaJson = criteria, Stratify = { "gender" } },
            As(CohortCountTests.SyntheaGateway.Researcher));

        Assert.True(reply.HasCount);
        Assert.Equal(restCount, reply.Count);
        Assert.False(reply.Suppressed);
        Assert.Equal(5, reply.Threshold);
        Assert.Equal("female", Assert.Single(reply.Strata).Gender);
    }

    [Theory]
    [InlineData("""{"gender":"femme"}""", "researcher", StatusCode.InvalidArgument, "$.gender")]
    [InlineData("""{"gender":""", "researcher", StatusCode.InvalidArgument, "not valid JSON")]
    [InlineData("""{"gender":"female"}""", "stranger", StatusCode.PermissionDenied, "names you")]
    public async Task Count_Refused_StatusWithDetail(string criteria, string who, StatusCode code, string detail)
    {
        var subject = who == "researcher" ? CohortCountTests.SyntheaGateway.Researcher : "stranger";

        var error = await Assert.ThrowsAsync<RpcException>(() =>
            Client.CountAsync(new CountRequest { PermitId = data.PermitId, CriteriaJson = criteria }, As(subject)).ResponseAsync);

        Assert.Equal(code, error.StatusCode);
        Assert.Contains(detail, error.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Count_NoToken_Unauthenticated()
    {
        var error = await Assert.ThrowsAsync<RpcException>(() =>
            Client.CountAsync(new CountRequest { PermitId = data.PermitId, CriteriaJson = "{}" }).ResponseAsync);

        Assert.Equal(StatusCode.Unauthenticated, error.StatusCode);
    }
}
