using System.Globalization;
using System.Text.RegularExpressions;

namespace HealthDataSpace.Core.Privacy;

/// <summary>
/// Applies one rule's method to one node, with the anonymizer's semantics (see docs/pseudonymisation.md). Only
/// primitives change here; substitute, perturb and generalize live in their own classes.
/// </summary>
internal sealed partial class NodeProcessor(PolicyParameters parameters, PseudonymDomain domain)
{
    private readonly Func<string, string> _hash = domain.Hash;
    private readonly Func<string, string> _hashUuid = domain.IsProjectDomain ? domain.HashAsUuid : domain.Hash;

    public ProcessedOperations Process(FhirNode node, CompiledRule rule, AnonymizationRun run) => rule.Method switch
    {
        AnonymizationMethod.Redact => Redact(node, run),
        AnonymizationMethod.DateShift => DateShift(node, run),
        AnonymizationMethod.CryptoHash => CryptoHash(node),
        AnonymizationMethod.Encrypt => Encrypt(node),
        AnonymizationMethod.Substitute => Substitution.Apply(node, rule.Substitute!),
        AnonymizationMethod.Perturb => Perturbation.Apply(node, rule.Perturb!, rule.Index),
        AnonymizationMethod.Generalize => Generalization.Apply(node, rule),
        _ => ProcessedOperations.None,
    };

    private ProcessedOperations Redact(FhirNode node, AnonymizationRun run)
    {
        if (string.IsNullOrEmpty(node.Value))
        {
            return ProcessedOperations.None;
        }

        switch (node.InstanceType)
        {
            case "date" or "dateTime" or "instant":
                node.Value = DateValues.Redact(node.Value, parameters.EnablePartialDatesForRedact, run.Today);
                return ProcessedOperations.Redact;
            case "decimal" when node.Parent?.InstanceType == "Age":
                if (!parameters.EnablePartialAgesForRedact
                    || !decimal.TryParse(node.Value, NumberStyles.Float, CultureInfo.InvariantCulture, out var age) || age > 89)
                {
                    node.Value = null;
                }

                return ProcessedOperations.Redact;
        }

        if (node.Name == "postalCode")
        {
            return RedactPostalCode(node);
        }

        node.Value = null;
        return ProcessedOperations.Redact;
    }

    private ProcessedOperations RedactPostalCode(FhirNode node)
    {
        var code = node.Value!;
        if (!parameters.EnablePartialZipCodesForRedact)
        {
            node.Value = null;
            return ProcessedOperations.Redact;
        }

        if (parameters.RestrictedZipCodeTabulationAreas.Any(area => code.StartsWith(area, StringComparison.Ordinal)))
        {
            node.Value = Digit().Replace(code, "0");
        }
        else if (code.Length >= 3)
        {
            node.Value = string.Concat(code.AsSpan(0, 3), Digit().Replace(code[3..], "0"));
        }

        return ProcessedOperations.Abstract;
    }

    private ProcessedOperations DateShift(FhirNode node, AnonymizationRun run)
    {
        if (string.IsNullOrEmpty(node.Value) || node.InstanceType is not ("date" or "dateTime" or "instant"))
        {
            return ProcessedOperations.None;
        }

        string? shifted;
        if (domain.IsProjectDomain)
        {
            var patient = run.PatientKeyOf(node.Resource);
            shifted = DateValues.ShiftExact(node.Value, domain.ShiftFor(patient), domain.TimeShiftFor(patient), parameters.EnablePartialDatesForRedact, run.Today);
        }
        else
        {
            var days = domain.CompatibleShift(run.DateShiftPrefix ?? node.Root.FirstChild("id")?.Value ?? string.Empty);
            shifted = DateValues.Shift(node.Value, days, keepTime: false, parameters.EnablePartialDatesForRedact, run.Today);
        }

        var wasShifted = shifted is not null && shifted.Length >= 10 && node.Value.Length >= 10;
        node.Value = shifted;
        // The anonymizer labels a shifted date PERTURBED and one it had to remove or cut to a year REDACTED.
        return wasShifted ? ProcessedOperations.Perturb : ProcessedOperations.Redact;
    }

    private ProcessedOperations CryptoHash(FhirNode node)
    {
        if (string.IsNullOrEmpty(node.Value))
        {
            return ProcessedOperations.None;
        }

        node.Value = ReferenceKind(node) switch
        {
            ReferenceValueKind.Reference => ReferenceTransform.Transform(node.Value, _hash, _hashUuid, conditionalAware: domain.IsProjectDomain),
            ReferenceValueKind.BundleUrl => ReferenceTransform.Transform(node.Value, _hash, _hashUuid, conditionalAware: true),
            ReferenceValueKind.Query => ReferenceTransform.TransformQuery(node.Value, _hash),
            _ => _hash(node.Value),
        };
        return ProcessedOperations.CryptoHash;
    }

    private ProcessedOperations Encrypt(FhirNode node)
    {
        if (string.IsNullOrEmpty(node.Value))
        {
            return ProcessedOperations.None;
        }

        node.Value = domain.Encrypt(node.Value);
        return ProcessedOperations.Encrypt;
    }

    /// <summary>
    /// Reference.reference is hashed by its id part as in the anonymizer. Bundle fullUrl, request.url and
    /// response.location are too (the anonymizer hashes them whole, which leaves every reference to them dangling),
    /// and ifNoneExist keeps its query shape.
    /// </summary>
    private static ReferenceValueKind ReferenceKind(FhirNode node)
    {
        var parent = node.Parent;
        if (parent is null)
        {
            return ReferenceValueKind.None;
        }

        if (node.Name == "reference" && parent.InstanceType == "Reference")
        {
            return ReferenceValueKind.Reference;
        }

        var entry = node.Name == "fullUrl" ? parent : parent.Parent;
        if (entry is not { Name: "entry", Parent.InstanceType: "Bundle" })
        {
            return ReferenceValueKind.None;
        }

        return (node.Name, parent.Name) switch
        {
            ("fullUrl", "entry") or ("url", "request") or ("location", "response") => ReferenceValueKind.BundleUrl,
            ("ifNoneExist", "request") => ReferenceValueKind.Query,
            _ => ReferenceValueKind.None,
        };
    }

    [GeneratedRegex("[0-9]")]
    private static partial Regex Digit();

    private enum ReferenceValueKind
    {
        None,
        Reference,
        BundleUrl,
        Query,
    }
}
