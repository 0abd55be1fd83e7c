using HealthDataSpace.Gateway.Auth;

var builder = WebApplication.CreateBuilder(args);

builder.AddGatewayAuthentication();

var app = builder.Build();

app.UseAuthentication();
app.UseAuthorization();

app.MapAuthEndpoints();

app.Run();

/// <summary>Entry point, visible to the in-process test host.</summary>
public partial class Program;
