using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Routing;

namespace HealthDataSpace.Gateway.Tests.Infrastructure;

/// <summary>
/// Adds test-only endpoints to the application's own route table. When the host wires the WebApplication into the
/// server pipeline it calls UseRouting, which records the application's route builder in the builder's properties;
/// endpoints added there before the pipeline is built are served by the application's routing, authentication and
/// authorization middleware like any other.
/// </summary>
internal sealed class TestEndpointsStartupFilter(IReadOnlyList<Action<IEndpointRouteBuilder>> maps) : IStartupFilter
{
    private const string EndpointRouteBuilderKey = "__EndpointRouteBuilder";

    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        next(app);
        if (!app.Properties.TryGetValue(EndpointRouteBuilderKey, out var value) || value is not IEndpointRouteBuilder routes)
        {
            throw new InvalidOperationException(
                $"No global endpoint route builder found; keys: {string.Join(", ", app.Properties.Keys)}");
        }

        foreach (var map in maps)
        {
            map(routes);
        }
    };
}
