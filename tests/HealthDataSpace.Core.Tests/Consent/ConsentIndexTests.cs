using HealthDataSpace.Core.Consent;
using HealthDataSpace.Core.Fhir;

namespace HealthDataSpace.Core.Tests.Consent;

public sealed class ConsentIndexTests
{
    private static readonly DateTimeOffset Now = new(2025, 3, 1, 12, 0, 0, TimeSpan.Zero);

    private static readonly ConsentDecisionRequest CardioObservation = new(
        "Patient/p1", "HRESCH", "ResearchStudy/cardio", "Observation", null, null,
        new DateTimeOffset(2023, 5, 1, 0, 0, 0, TimeSpan.Zero), Now);

    private static ConsentIndex NewIndex() => new(ConsentDefaults.OptInEverywhere);

    [Fact]
    public void Upsert_NewVersionForOtherStudy_ReplacesOldVersion()
    {
        var index = NewIndex();
        index.Upsert("r1", 1, ConsentFixtures.Parse(ConsentFixtures.Research("Patient/p1")));
        Assert.True(index.Evaluate(CardioObservation).Permit);

        Assert.True(index.Upsert("r1", 2, ConsentFixtures.Parse(ConsentFixtures.Research("Patient/p1", study: "ResearchStudy/other"))));

        var decision = index.Evaluate(CardioObservation);
        Assert.False(decision.Permit);
        Assert.Null(decision.Consent);
        Assert.Equal(1, index.Count);
        Assert.Equal("Consent/r1/_history/2", index.Evaluate(CardioObservation with { Actor = "ResearchStudy/other" }).Consent);
    }

    [Fact]
    public void Upsert_NewVersionInactive_RevokesImmediately()
    {
        var index = NewIndex();
        index.Upsert("r1", 1, ConsentFixtures.Parse(ConsentFixtures.Research("Patient/p1")));

        index.Upsert("r1", 2, ConsentFixtures.Parse(ConsentFixtures.Research("Patient/p1", "inactive")));

        var decision = index.Evaluate(CardioObservation);
        Assert.False(decision.Permit);
        Assert.Contains("revoked", decision.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Upsert_OlderVersionAfterNewer_IsIgnored()
    {
        var index = NewIndex();
        index.Upsert("r1", 3, ConsentFixtures.Parse(ConsentFixtures.Research("Patient/p1")));

        Assert.False(index.Upsert("r1", 2, ConsentFixtures.Parse(ConsentFixtures.Research("Patient/p1", "inactive"))));

        Assert.Equal("Consent/r1/_history/3", index.Evaluate(CardioObservation).Consent);
    }

    [Fact]
    public void Upsert_NewVersionForOtherPatient_MovesTheConsent()
    {
        var index = NewIndex();
        index.Upsert("r1", 1, ConsentFixtures.Parse(ConsentFixtures.Research("Patient/p1")));

        index.Upsert("r1", 2, ConsentFixtures.Parse(ConsentFixtures.Research("Patient/p2")));

        Assert.False(index.Evaluate(CardioObservation).Permit);
        Assert.True(index.Evaluate(CardioObservation with { Patient = "Patient/p2" }).Permit);
    }

    [Fact]
    public void Evaluate_TwoPatientsWithIdenticalConsents_EachDecisionNamesItsOwnConsent()
    {
        var index = NewIndex();
        index.Upsert("a", 1, ConsentFixtures.Parse(ConsentFixtures.Research("Patient/p1")));
        index.Upsert("b", 4, ConsentFixtures.Parse(ConsentFixtures.Research("Patient/p2")));

        var psy = new[] { "http://terminology.hl7.org/CodeSystem/v3-ActCode|PSY" };
        var first = index.Evaluate(CardioObservation with { SecurityLabels = psy });
        var second = index.Evaluate(CardioObservation with { Patient = "Patient/p2", SecurityLabels = psy });

        Assert.Equal(("Consent/a/_history/1", "provision.provision[0]"), (first.Consent, first.Provision));
        Assert.Equal(("Consent/b/_history/4", "provision.provision[0]"), (second.Consent, second.Provision));
    }

    [Fact]
    public void Remove_IndexedConsent_DefaultAppliesAgain()
    {
        var index = NewIndex();
        index.Upsert("r1", 1, ConsentFixtures.Parse(ConsentFixtures.Research("Patient/p1")));

        Assert.True(index.Remove("r1"));

        var decision = index.Evaluate(CardioObservation);
        Assert.Equal((false, (string?)null, (string?)null), (decision.Permit, decision.Consent, decision.Provision));
        Assert.Equal("no consent; regional default opt-in", decision.Reason);
        Assert.Equal(0, index.Count);
        Assert.False(index.Remove("r1"));
    }

    [Fact]
    public void Upsert_InvalidConsent_Throws422WithProblemsAndIndexesNothing()
    {
        var index = NewIndex();

        var error = Assert.Throws<FhirException>(() =>
            index.Upsert("r1", 1, ConsentFixtures.Parse(ConsentFixtures.Research("Patient/p1", periodEnd: "2024-01-01"))));

        Assert.Equal(422, error.Status);
        Assert.Contains(error.Details, d => d.StartsWith("Consent.provision.period", StringComparison.Ordinal));
        Assert.Equal(0, index.Count);
    }

    [Fact]
    public void Evaluate_NoAtGiven_UsesTimeProvider()
    {
        var index = new ConsentIndex(ConsentDefaults.OptInEverywhere, new FixedTime(new DateTimeOffset(2030, 1, 1, 0, 0, 0, TimeSpan.Zero)));
        index.Upsert("r1", 1, ConsentFixtures.Parse(ConsentFixtures.Research("Patient/p1")));

        Assert.False(index.Evaluate(CardioObservation with { At = null }).Permit);
    }

    [Theory]
    [InlineData("p1", "HRESCH", "Observation")]
    [InlineData("Organization/p1", "HRESCH", "Observation")]
    [InlineData("Patient/p1", "", "Observation")]
    [InlineData("Patient/p1", "HRESCH", "")]
    public void Evaluate_MalformedRequest_ThrowsArgumentException(string patient, string purpose, string type)
    {
        Assert.Throws<ArgumentException>(() => NewIndex().Evaluate(new ConsentDecisionRequest(patient, purpose, null, type)));
    }

    [Fact]
    public void Evaluate_UnknownPurposeWithOptOutElsewhere_DefaultsToOptIn()
    {
        var index = new ConsentIndex(new ConsentDefaults(new Dictionary<string, ConsentDefault> { ["HRESCH"] = ConsentDefault.OptOut }));

        Assert.True(index.Evaluate(CardioObservation).Permit);
        Assert.False(index.Evaluate(CardioObservation with { Purpose = "NOSUCHPURPOSE" }).Permit);
    }

    [Fact]
    public async Task Evaluate_ConcurrentWithWrites_SeesEachAcknowledgedWrite()
    {
        var index = NewIndex();
        using var stop = new CancellationTokenSource();
        var readers = Enumerable.Range(0, 2).Select(_ => Task.Run(() =>
        {
            while (!stop.IsCancellationRequested)
            {
                index.Evaluate(CardioObservation);
            }
        })).ToArray();

        for (var v = 1; v <= 200; v++)
        {
            var status = v % 2 == 0 ? "inactive" : "active";
            index.Upsert("r1", v, ConsentFixtures.Parse(ConsentFixtures.Research("Patient/p1", status)));
            Assert.Equal(status == "active", index.Evaluate(CardioObservation).Permit);
        }

        await stop.CancelAsync();
        await Task.WhenAll(readers);
    }

    private sealed class FixedTime(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }

    [Fact]
    public void Upsert_SameVersionAgain_Ignored()
    {
        var index = new ConsentIndex(ConsentDefaults.OptInEverywhere);
        var consent = ConsentFixtures.Parse(ConsentFixtures.Research("Patient/p1"));

        Assert.True(index.Upsert("c1", 1, consent));
        var generation = index.Generation;
        Assert.False(index.Upsert("c1", 1, consent));
        Assert.Equal(generation, index.Generation);
        Assert.True(index.Upsert("c1", 2, consent));
    }
}
