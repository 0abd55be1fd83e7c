var builder = WebApplication.CreateBuilder(args);

var app = builder.Build();

app.Run();

/// <summary>Entry point, visible to the in-process test host.</summary>
public partial class Program;
