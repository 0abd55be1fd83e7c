using System.CommandLine;
using HealthDataSpace.Cli;
using HealthDataSpace.Core.Telemetry.Devices;

namespace HealthDataSpace.Gateway.Tests.Telemetry;

/// <summary><c>hds device sas</c>: a token the gateway's own validation accepts, and usage errors on bad input.</summary>
public sealed class DeviceCommandTests : IDisposable
{
    private readonly StringWriter _output = new();
    private readonly StringWriter _error = new();

    [Fact]
    public async Task Sas_DeviceAndKey_TokenValidForThatDeviceAndTtl()
    {
        var keys = DeviceKeys.Generate();

        var exit = await RunAsync("device", "sas", "--device", "watch-1", "--key", keys.SecondaryBase64, "--host", "hub.example", "--ttl", "2h");

        Assert.Equal(0, exit);
        Assert.True(SharedAccessSignature.TryParse(_output.ToString().Trim(), out var token));
        Assert.Equal(SasValidation.Valid, SharedAccessSignature.Validate(token, "hub.example", "watch-1", keys, DateTimeOffset.UtcNow));
        Assert.Equal(SasValidation.Expired, SharedAccessSignature.Validate(token, "hub.example", "watch-1", keys, DateTimeOffset.UtcNow.AddHours(2).AddMinutes(1)));
    }

    [Theory]
    [InlineData("--device", "bad/id", "--key", "AAAA")]
    [InlineData("--device", "watch-1", "--key", "not base64!")]
    [InlineData("--device", "watch-1", "--key", "AAAA", "--ttl", "forever")]
    [InlineData("--device", "watch-1")]
    public async Task Sas_BadInput_Exits2(params string[] options)
    {
        var exit = await RunAsync(["device", "sas", .. options]);

        Assert.Equal(2, exit);
        Assert.Equal(string.Empty, _output.ToString());
    }

    public void Dispose()
    {
        _output.Dispose();
        _error.Dispose();
    }

    private Task<int> RunAsync(params string[] args) =>
        HdsCli.RunAsync(args, new InvocationConfiguration { Output = _output, Error = _error });
}
