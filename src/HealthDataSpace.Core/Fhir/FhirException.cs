using Hl7.Fhir.Model;
using Task = System.Threading.Tasks.Task;

namespace HealthDataSpace.Core.Fhir;

/// <summary>
/// A request the FHIR engine refuses, with the HTTP status and FHIR issue code to answer it with.
/// The message is shown to the caller, so it must never contain resource content, names or identifiers.
/// </summary>
public sealed class FhirException : Exception
{
    public FhirException(int status, OperationOutcome.IssueType issue, string message)
        : base(message)
    {
        Status = status;
        Issue = issue;
    }

    public FhirException()
        : this(500, OperationOutcome.IssueType.Exception, "FHIR processing failed.")
    {
    }

    public FhirException(string message)
        : this(400, OperationOutcome.IssueType.Invalid, message)
    {
    }

    public FhirException(string message, Exception innerException)
        : base(message, innerException)
    {
        Status = 400;
        Issue = OperationOutcome.IssueType.Invalid;
    }

    public int Status { get; }

    public OperationOutcome.IssueType Issue { get; }

    /// <summary>Extra issues (for example one per parse error) beside the main message.</summary>
    public IReadOnlyList<string> Details { get; init; } = [];

    public static FhirException BadRequest(string message) => new(400, OperationOutcome.IssueType.Invalid, message);

    public static FhirException NotFound(string message) => new(404, OperationOutcome.IssueType.NotFound, message);

    public static FhirException Gone(string message) => new(410, OperationOutcome.IssueType.Deleted, message);

    public static FhirException Conflict(string message) => new(409, OperationOutcome.IssueType.Conflict, message);

    public static FhirException PreconditionFailed(string message) => new(412, OperationOutcome.IssueType.Conflict, message);

    public static FhirException Unprocessable(string message) => new(422, OperationOutcome.IssueType.Processing, message);

    public static FhirException NotSupported(string message) => new(400, OperationOutcome.IssueType.NotSupported, message);

    public static FhirException Forbidden(string message) => new(403, OperationOutcome.IssueType.Forbidden, message);

    public static FhirException TooLarge(string message) => new(413, OperationOutcome.IssueType.TooCostly, message);
}
