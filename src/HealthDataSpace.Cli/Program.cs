using HealthDataSpace.Cli;

return await HdsCli.RunAsync(args);
