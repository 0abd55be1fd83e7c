using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Spectre.Console;

namespace HealthDataSpace.Cli.Commands.Demo;

/// <summary>
/// Step 5, the researcher counts a cohort under the permit (<c>POST /research/cohorts/$count</c>): patients with viral
/// sinusitis (the condition most of the Synthea bundles share) or whose wearable measured an average heart rate above
/// 50 in the last two days, stratified by age band and gender; and each half alone, so the OR can be read off.
/// Only consenting patients count; cells below the threshold are shown as "&lt; k".
/// </summary>
internal static class CohortStep
{
    public const string ConditionCode = "http://snomed.info/sct|444814009";
    public const string ConditionName = "viral sinusitis (SNOMED 444814009)";

    private static JsonObject Condition => new() { ["condition"] = new JsonObject { ["code"] = ConditionCode } };

    private static JsonObject HeartRate => new()
    {
        ["telemetry"] = new JsonObject { ["type"] = "heart-rate", ["aggregate"] = "avg", ["gt"] = 50, ["window"] = "P2D" },
    };

    public static async Task RunAsync(DemoApi api, DemoConsole console, DemoPermit permit, CancellationToken cancellationToken)
    {
        var (either, condition, heartRate) = await console.StepAsync("Researcher counts a cohort", 3, async progress =>
        {
            var either = await CountAsync(api, permit, new JsonObject { ["any"] = new JsonArray(Condition, HeartRate) }, stratify: true, cancellationToken);
            progress.Advance(1);
            var condition = await CountAsync(api, permit, Condition, stratify: false, cancellationToken);
            progress.Advance(1);
            var heartRate = await CountAsync(api, permit, HeartRate, stratify: false, cancellationToken);
            progress.Advance(1);
            var threshold = either.GetProperty("threshold").GetInt32();
            return ((either, condition, heartRate), string.Create(CultureInfo.InvariantCulture,
                $"either: {Text(either, threshold)} patients in {either.GetProperty("strata").GetArrayLength()} strata; " +
                $"cells of 1 to {threshold - 1} patients are suppressed (shown as < {threshold})"));
        });

        var k = either.GetProperty("threshold").GetInt32();
        var totals = new Table().Title("Consenting patients counted (POST /research/cohorts/$count)")
            .AddColumn("criteria").AddColumn(new TableColumn("patients").RightAligned());
        totals.AddRow(Markup.Escape(ConditionName), Cell(condition, k));
        totals.AddRow("wearable heart rate, average > 50/min over the last 2 days", Cell(heartRate, k));
        totals.AddRow("either (any)", Cell(either, k));
        console.Write(totals);

        var strata = new Table().Title("Either, by age band and gender").AddColumn("age band").AddColumn("gender")
            .AddColumn(new TableColumn("patients").RightAligned());
        foreach (var stratum in either.GetProperty("strata").EnumerateArray())
        {
            strata.AddRow(Markup.Escape(stratum.GetProperty("ageBand").GetString() ?? "unknown"),
                Markup.Escape(stratum.GetProperty("gender").GetString() ?? "unknown"), Cell(stratum, k));
        }

        if (strata.Rows.Count > 0)
        {
            console.Write(strata);
        }
    }

    private static async Task<JsonElement> CountAsync(DemoApi api, DemoPermit permit, JsonObject criteria, bool stratify, CancellationToken cancellationToken)
    {
        var body = new JsonObject { ["permit"] = permit.Id, ["criteria"] = criteria };
        if (stratify)
        {
            body["stratify"] = new JsonArray("ageBand", "gender");
        }

        var response = await api.Researcher.CallAsync(HttpMethod.Post, "research/cohorts/$count", JsonContent.Create(body),
            "Counting the cohort", cancellationToken, HttpStatusCode.OK);
        return await response.ReadJsonAsync(cancellationToken);
    }

    private static string Cell(JsonElement count, int threshold) => Markup.Escape(Text(count, threshold));

    /// <summary>The count, or "&lt; k" when the gateway suppressed it.</summary>
    internal static string Text(JsonElement count, int threshold) =>
        count.GetProperty("suppressed").GetBoolean() || count.GetProperty("count").ValueKind == JsonValueKind.Null
            ? $"< {threshold.ToString(CultureInfo.InvariantCulture)}"
            : count.GetProperty("count").GetInt32().ToString(CultureInfo.InvariantCulture);
}
