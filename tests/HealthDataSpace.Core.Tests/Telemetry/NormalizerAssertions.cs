using System.Globalization;
using HealthDataSpace.Core.Telemetry;

namespace HealthDataSpace.Core.Tests.Telemetry;

internal static class NormalizerAssertions
{
    public static IReadOnlyList<NormalizedReading> Accepted(this NormalizationResult result)
    {
        Assert.True(result.Rejection is null, $"rejected: {result.Rejection}");
        Assert.NotEmpty(result.Readings);
        return result.Readings;
    }

    public static string Rejected(this NormalizationResult result)
    {
        Assert.True(result.IsRejected, "accepted, expected a rejection");
        Assert.Empty(result.Readings);
        return result.Rejection!;
    }

    public static double Number(this NormalizedReading reading, string valueName) =>
        double.Parse(Assert.Single(reading.Values, v => v.Name == valueName).Value, CultureInfo.InvariantCulture);

    public static DateTimeOffset Time(string iso) => DateTimeOffset.Parse(iso, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);
}
