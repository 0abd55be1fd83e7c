using HealthDataSpace.Gateway.Auth;
using HealthDataSpace.Gateway.Features.Audit;
using HealthDataSpace.Gateway.Features.Consent;
using HealthDataSpace.Gateway.Features.Fhir;
using HealthDataSpace.Gateway.Features.Privacy;
using HealthDataSpace.Gateway.Features.Research;
using HealthDataSpace.Gateway.Features.Telemetry;
using HealthDataSpace.Gateway.Hosting;
using HealthDataSpace.Gateway.Storage;

var builder = WebApplication.CreateBuilder(args);

builder.AddGatewayHosting();
builder.AddGatewayAuthentication();
builder.AddGatewayStorage();
builder.AddFhirApi();
builder.AddAuditTrail();
builder.AddConsentEngine();
builder.AddPrivacy();
builder.AddTelemetry();
builder.AddResearchApi();

var app = builder.Build();

app.UseGatewayErrorHandling();
app.UseAuthentication();
app.UseAuthorization();

app.MapHealthEndpoints();
app.MapAuthEndpoints();
app.MapFhirApi();
app.MapConsentApi();
app.MapPrivacyApi();
app.MapAuditApi();
app.MapResearchApi();
app.MapTelemetryApi();

app.Run();

/// <summary>Entry point, visible to the in-process test host.</summary>
public partial class Program;
