using HealthDataSpace.Gateway.Hosting;

// The features and the pipeline are listed in Hosting/GatewayApplication.cs, which hds demo builds in-process too.
GatewayApplication.Build(args).Run();

/// <summary>Entry point, visible to the in-process test host.</summary>
public partial class Program;
