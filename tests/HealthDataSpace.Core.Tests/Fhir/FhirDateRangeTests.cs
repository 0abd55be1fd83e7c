using HealthDataSpace.Core.Fhir.Search;

namespace HealthDataSpace.Core.Tests.Fhir;

public sealed class FhirDateRangeTests
{
    private static long Ticks(int y, int m, int d, int h = 0, int min = 0, int s = 0) =>
        new DateTime(y, m, d, h, min, s, DateTimeKind.Utc).Ticks;

    [Theory]
    [InlineData("2020", 2020, 1, 1, 2021, 1, 1)]
    [InlineData("2020-02", 2020, 2, 1, 2020, 3, 1)]
    [InlineData("2020-02-29", 2020, 2, 29, 2020, 3, 1)]
    [InlineData("2020-12", 2020, 12, 1, 2021, 1, 1)]
    public void TryParse_PartialDates_CoverTheirWholePrecision(string text, int y1, int m1, int d1, int y2, int m2, int d2)
    {
        Assert.True(FhirDateRange.TryParse(text, out var range));

        Assert.Equal(Ticks(y1, m1, d1), range.Low);
        Assert.Equal(Ticks(y2, m2, d2), range.High);
    }

    [Fact]
    public void TryParse_DateTimeWithOffset_ConvertsToUtcWithSecondPrecision()
    {
        Assert.True(FhirDateRange.TryParse("2024-02-01T10:00:00+02:00", out var range));

        Assert.Equal(Ticks(2024, 2, 1, 8), range.Low);
        Assert.Equal(Ticks(2024, 2, 1, 8, 0, 1), range.High);
    }

    [Fact]
    public void TryParse_MinutesOnly_CoversTheMinute()
    {
        Assert.True(FhirDateRange.TryParse("2024-02-01T10:15Z", out var range));

        Assert.Equal(TimeSpan.TicksPerMinute, range.High - range.Low);
    }

    [Fact]
    public void TryParse_Milliseconds_CoversTheMillisecond()
    {
        Assert.True(FhirDateRange.TryParse("2024-02-01T10:15:30.250Z", out var range));

        Assert.Equal(TimeSpan.TicksPerMillisecond, range.High - range.Low);
        Assert.Equal(Ticks(2024, 2, 1, 10, 15, 30) + (250 * TimeSpan.TicksPerMillisecond), range.Low);
    }

    [Theory]
    [InlineData("")]
    [InlineData("yesterday")]
    [InlineData("2020-13")]
    [InlineData("2020-02-30")]
    [InlineData("2020-01-01T25:00:00Z")]
    [InlineData("20200101")]
    public void TryParse_NotAFhirDate_ReturnsFalse(string text)
    {
        Assert.False(FhirDateRange.TryParse(text, out _));
    }
}
