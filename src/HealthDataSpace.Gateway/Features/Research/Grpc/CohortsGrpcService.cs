using System.Text.Json;
using global::Grpc.Core;
using HealthDataSpace.Contracts.Research.V1;
using HealthDataSpace.Core.Fhir;
using HealthDataSpace.Gateway.Auth;

namespace HealthDataSpace.Gateway.Features.Research.Grpc;

/// <summary>
/// <c>healthdataspace.research.v1.Cohorts</c>: a thin adapter over <see cref="CohortCounting"/>, so gRPC and REST answer
/// the same counts with the same rules (permit, consent, suppression, audit). Status mapping: ResearchStatusInterceptor.
/// </summary>
internal sealed class CohortsGrpcService(CohortCounting counting) : Cohorts.CohortsBase
{
    public override async Task<CountResponse> Count(CountRequest request, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(context);
        JsonElement criteria;
        try
        {
            using var document = JsonDocument.Parse(string.IsNullOrEmpty(request.CriteriaJson) ? "null" : request.CriteriaJson);
            criteria = document.RootElement.Clone();
        }
        catch (JsonException e)
        {
            throw FhirException.BadRequest($"criteria_json is not valid JSON (line {e.LineNumber + 1}).");
        }

        var caller = context.GetHttpContext().User.ToCaller();
        var count = await counting.CountAsync(caller, request.PermitId, criteria, [.. request.Stratify], context.CancellationToken);
        var response = new CountResponse { Suppressed = count.Suppressed, Threshold = count.Threshold };
        if (count.Count is { } total)
        {
            response.Count = total;
        }

        foreach (var stratum in count.Strata)
        {
            var cell = new Stratum
            {
                AgeBand = stratum.Keys.GetValueOrDefault("ageBand") ?? string.Empty,
                Gender = stratum.Keys.GetValueOrDefault("gender") ?? string.Empty,
                Suppressed = stratum.Suppressed,
            };
            if (stratum.Count is { } n)
            {
                cell.Count = n;
            }

            response.Strata.Add(cell);
        }

        return response;
    }
}
