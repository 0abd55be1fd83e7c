using Hl7.Fhir.Model;
using Task = System.Threading.Tasks.Task;

namespace HealthDataSpace.Core.Fhir;

/// <summary>Builds the OperationOutcome that answers a refused request.</summary>
public static class OperationOutcomes
{
    public static OperationOutcome From(FhirException error)
    {
        var outcome = new OperationOutcome();
        outcome.Issue.Add(new OperationOutcome.IssueComponent
        {
            Severity = OperationOutcome.IssueSeverity.Error,
            Code = error.Issue,
            Diagnostics = error.Message,
        });
        foreach (var detail in error.Details)
        {
            outcome.Issue.Add(new OperationOutcome.IssueComponent
            {
                Severity = OperationOutcome.IssueSeverity.Error,
                Code = OperationOutcome.IssueType.Invalid,
                Diagnostics = detail,
            });
        }

        return outcome;
    }

    public static OperationOutcome Information(string message)
    {
        var outcome = new OperationOutcome();
        outcome.Issue.Add(new OperationOutcome.IssueComponent
        {
            Severity = OperationOutcome.IssueSeverity.Information,
            Code = OperationOutcome.IssueType.Informational,
            Diagnostics = message,
        });
        return outcome;
    }
}
