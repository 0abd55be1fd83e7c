using HealthDataSpace.Core.Telemetry.Templates;
using Microsoft.Extensions.Options;

namespace HealthDataSpace.Gateway.Features.Telemetry;

/// <summary>
/// Loads the configured template files at start-up and lists every problem (template index, field, line): a bad file
/// stops the gateway instead of silently dropping readings.
/// </summary>
internal sealed class TelemetryTemplateOptionsValidator : IValidateOptions<TelemetryTemplateOptions>
{
    public ValidateOptionsResult Validate(string? name, TelemetryTemplateOptions options)
    {
        var errors = TelemetryTemplateFactory.Validate(options);
        return errors.Count == 0
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail(errors.Select(e => $"{TelemetryTemplateOptions.SectionName}: {e}"));
    }
}
