using HealthDataSpace.Core.Fhir;
using HealthDataSpace.Core.Research;

namespace HealthDataSpace.Core.Tests.Research;

public sealed class PermitGuardTests
{
    private static readonly DateTimeOffset Now = new(2026, 6, 1, 0, 0, 0, TimeSpan.Zero);

    private static DataPermit Permit(DateTimeOffset? revoked = null, string from = "2026-01-01", string to = "2027-01-01", string[]? outputs = null) =>
        new("p1", "proj", "t", "Organization/o", ["r-1"], "HRESCH", ["Observation"],
            DateTimeOffset.Parse(from, System.Globalization.CultureInfo.InvariantCulture),
            DateTimeOffset.Parse(to, System.Globalization.CultureInfo.InvariantCulture),
            outputs ?? [PermitOutputs.Aggregate], null, DataPermit.DefaultPolicy, Now.AddDays(-200), "steward", revoked);

    [Fact]
    public void Authorize_NamedResearcherActivePermitAllowedOutput_ReturnsPermit()
    {
        var permit = Permit();

        Assert.Same(permit, PermitGuard.Authorize(permit, "r-1", PermitOutputs.Aggregate, Now));
    }

    [Theory]
    [InlineData("unknown", "names you")]
    [InlineData("other-researcher", "names you")]
    [InlineData("revoked", "revoked")]
    [InlineData("expired", "expired")]
    [InlineData("pending", "not valid yet")]
    [InlineData("output", "'dataset'")]
    public void Authorize_Refusal_403WithReason(string scenario, string reason)
    {
        DataPermit? permit = scenario switch
        {
            "unknown" => null,
            "revoked" => Permit(revoked: Now.AddDays(-1)),
            "expired" => Permit(to: "2026-05-31"),
            "pending" => Permit(from: "2026-07-01"),
            _ => Permit(),
        };
        var subject = scenario == "other-researcher" ? "r-2" : "r-1";
        var output = scenario == "output" ? PermitOutputs.Dataset : PermitOutputs.Aggregate;

        var error = Assert.Throws<FhirException>(() => PermitGuard.Authorize(permit, subject, output, Now));

        Assert.Equal(403, error.Status);
        Assert.Contains(reason, error.Message, StringComparison.Ordinal);
    }
}
