using HealthDataSpace.Core.Telemetry.Normalization;
using HealthDataSpace.Core.Telemetry.Templates.DeviceContent;
using HealthDataSpace.Core.Telemetry.Templates.Expressions;
using Newtonsoft.Json.Linq;
using static HealthDataSpace.Core.Tests.Telemetry.TelemetryTestData;

namespace HealthDataSpace.Core.Tests.Telemetry;

/// <summary>
/// The fast evaluation of <c>$..[?(...)]</c> type matches must select exactly what Newtonsoft's SelectTokens selects,
/// in the same order: checked for every such expression of the shipped and MedTech sample templates over every JSON
/// payload of the shared data used in these tests.
/// </summary>
public class RecursiveFilterMatcherTests
{
    public static TheoryData<string> Payloads()
    {
        var data = new TheoryData<string>();
        string[] roots =
        [
            Path.GetDirectoryName(IomtTemplateInput("x"))!,
            Path.GetDirectoryName(Path.GetDirectoryName(Path.GetDirectoryName(Shimmer("fitbit", "x"))))!,
            .. new[] { "heart-rate", "oxygen-saturation", "blood-pressure", "step-count", "body-temperature", "respiratory-rate" }
                .Select(schema => Path.Combine(OpenMHealthRoot, schema)),
        ];
        foreach (var file in roots.SelectMany(r => Directory.EnumerateFiles(r, "*.json", SearchOption.AllDirectories)).Order(StringComparer.Ordinal))
        {
            data.Add(file);
        }

        return data;
    }

    [Fact]
    public void Expressions_FastPathInUseForShippedTypeMatches() =>
        Assert.Contains(Expressions(), e => e.UsesRecursiveFilterMatcher);

    [Theory]
    [MemberData(nameof(Payloads))]
    public void Select_SameTokensAsSelectTokens(string file)
    {
        JToken body;
        try
        {
            body = JToken.Parse(Read(file));
        }
        catch (Newtonsoft.Json.JsonReaderException)
        {
            return;
        }

        var message = Json("d", "{}");
        foreach (var document in new[] { body, DeviceEventEnvelope.Create(message, body.DeepClone()) })
        {
            foreach (var expression in Expressions().Where(e => e.UsesRecursiveFilterMatcher))
            {
                var expected = document.SelectTokens(expression.Text).ToList();
                var actual = expression.SelectTokens(document).ToList();
                Assert.True(expected.SequenceEqual(actual, ReferenceEqualityComparer.Instance), $"{expression.Text} differs on {Path.GetFileName(file)}");
            }
        }
    }

    private static IEnumerable<JsonPathTemplateExpression> Expressions() =>
        new[] { Defaults.DeviceContent.Templates, Sample("basic"), Sample("healthkitOnFhir"), Sample("sandbox"), Sample("sandbox/legacy") }
            .SelectMany(t => t)
            .Select(t => t.TypeMatch)
            .OfType<JsonPathTemplateExpression>();

    private static IReadOnlyList<ContentTemplate> Sample(string folder) =>
        DeviceContentTemplateSet.Parse(Read(IomtSample(folder, "devicecontent.json")), out _).Templates;
}
