using HealthDataSpace.Core.Telemetry.Templates.Expressions;
using Newtonsoft.Json.Linq;

namespace HealthDataSpace.Core.Tests.Telemetry;

/// <summary>The MedTech custom JMESPath functions, with the examples of MedTech's docs/CustomFunctions.md.</summary>
public class MedTechJmesPathFunctionTests
{
    [Theory]
    [InlineData("add(`10`, `10`)", "{}", "20")]
    [InlineData("add(left, right)", """{"left": 40, "right": 50}""", "90")]
    [InlineData("subtract(left, right)", """{"left": 40, "right": 50}""", "-10")]
    [InlineData("multiply(left, right)", """{"left": 40, "right": 50}""", "2000")]
    [InlineData("divide(left, right)", """{"left": 40, "right": 50}""", "0.8")]
    [InlineData("divide(left, right)", """{"left": 0, "right": 50}""", "0")]
    [InlineData("pow(`10`, `10`)", "{}", "10000000000")]
    [InlineData("pow(left, right)", """{"left": 100, "right": 0.5}""", "10")]
    [InlineData("insertString(original, toInsert, pos)", """{"original": "mple", "toInsert": "sa", "pos": 0}""", "sample")]
    [InlineData("insertString(original, toInsert, pos)", """{"original": "suess", "toInsert": "cc", "pos": 2}""", "success")]
    [InlineData("insertString(original, toInsert, length(original))", """{"original": "myString", "toInsert": "!!"}""", "myString!!")]
    [InlineData("appendString(a, b)", """{"a": "heart", "b": "rate"}""", "heartrate")]
    public void Function_DocumentedExample(string expression, string data, string expected)
    {
        var result = new JmesPathTemplateExpression(expression).SelectToken(JObject.Parse(data))!;
        if (double.TryParse(expected, System.Globalization.CultureInfo.InvariantCulture, out var number))
        {
            Assert.Equal(number, result.Value<double>(), 12);
        }
        else
        {
            Assert.Equal(expected, result.Value<string>());
        }
    }

    [Theory]
    [InlineData("fromUnixTimestamp(unix)", """{"unix": 1625677200}""", "2021-07-07T17:00:00Z")]
    [InlineData("fromUnixTimestamp(unix)", """{"unix": 0}""", "1970-01-01T00:00:00Z")]
    [InlineData("fromUnixTimestampMs(unix)", """{"unix": 1626799080000}""", "2021-07-20T16:38:00Z")]
    [InlineData("fromLocalUnixTimestamp(t, z)", """{"t": 1442491463, "z": "-0800"}""", "2015-09-17T20:04:23Z")]
    [InlineData("fromLocalUnixTimestamp(t, z)", """{"t": 1442491463, "z": "+05:30"}""", "2015-09-17T06:34:23Z")]
    public void DateFunction_Instant(string expression, string data, string expected)
    {
        var result = new JmesPathTemplateExpression(expression).SelectToken(JObject.Parse(data))!.Value<string>()!;
        Assert.Equal(DateTimeOffset.Parse(expected, System.Globalization.CultureInfo.InvariantCulture), DateTimeOffset.Parse(result, System.Globalization.CultureInfo.InvariantCulture));
    }

    [Theory]
    [InlineData("divide(left, right)", """{"left": 50, "right": 0}""")]
    [InlineData("pow(left, right)", """{"left": 40, "right": 500}""")]
    [InlineData("insertString(original, toInsert, pos)", """{"original": "myString", "toInsert": "!!", "pos": 100}""")]
    [InlineData("insertString(original, toInsert, pos)", """{"original": "myString", "toInsert": "!!", "pos": -1}""")]
    [InlineData("add(left, right)", """{"left": "40", "right": 50}""")]
    [InlineData("fromLocalUnixTimestamp(t, z)", """{"t": 1, "z": "PST"}""")]
    public void Function_InvalidInput_EvaluationError(string expression, string data) =>
        Assert.Throws<ExpressionEvaluationException>(() => new JmesPathTemplateExpression(expression).SelectToken(JObject.Parse(data)));
}
