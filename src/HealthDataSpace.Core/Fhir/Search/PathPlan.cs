using System.Collections;
using Hl7.Fhir.FhirPath;
using Hl7.Fhir.Model;
using Task = System.Threading.Tasks.Task;
using Hl7.FhirPath;
using Hl7.FhirPath.Expressions;

namespace HealthDataSpace.Core.Fhir.Search;

/// <summary>
/// One branch of a search parameter's FHIRPath expression, compiled into direct POCO navigation.
/// The spec's expressions are almost all simple paths (<c>Observation.subject.where(resolve() is Patient)</c>,
/// <c>(Observation.value as Quantity)</c>, <c>Patient.telecom.where(system='email')</c>); walking them over the
/// object model is ~50x cheaper than the general FHIRPath engine, which remains the fallback for the rest.
/// </summary>
internal sealed class PathPlan
{
    private static readonly FhirPathCompiler Compiler = new(new SymbolTable().AddStandardFP().AddFhirExtensions());
    private static readonly FhirEvaluationContext FallbackContext = new();

    private readonly Step[]? steps;
    private readonly CompiledExpression? fallback;

    private PathPlan(Step[]? steps, CompiledExpression? fallback, string expression)
    {
        this.steps = steps;
        this.fallback = fallback;
        Expression = expression;
    }

    public string Expression { get; }

    public bool UsesFallback => fallback is not null;

    /// <summary>Compiles one '|'-free branch; returns null when neither the fast plan nor FHIRPath can take it.</summary>
    public static PathPlan? Compile(string branch)
    {
        var steps = PathPlanParser.TryParse(branch);
        if (steps is not null)
        {
            return new PathPlan(steps, null, branch);
        }

        try
        {
            return new PathPlan(null, Compiler.Compile(branch), branch);
        }
        catch (Exception e) when (e is FormatException or ArgumentException or InvalidOperationException)
        {
            return null;
        }
    }

    public void Collect(Resource resource, List<Base> output)
    {
        if (fallback is not null)
        {
            CollectWithFhirPath(resource, output);
            return;
        }

        var current = new List<Base> { resource };
        var next = new List<Base>();
        foreach (var step in steps!)
        {
            next.Clear();
            foreach (var node in current)
            {
                step.Apply(node, next);
            }

            (current, next) = (next, current);
            if (current.Count == 0)
            {
                return;
            }
        }

        output.AddRange(current);
    }

    private void CollectWithFhirPath(Resource resource, List<Base> output)
    {
        try
        {
            foreach (var value in fallback!(resource.ToPocoNode(), FallbackContext))
            {
                if (value is PocoNode { Poco: { } poco })
                {
                    output.Add(poco);
                }
            }
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException or FormatException)
        {
            // An expression the data does not fit (e.g. a function over an unexpected type) indexes nothing.
        }
    }

    internal abstract class Step
    {
        public abstract void Apply(Base node, List<Base> output);
    }

    internal sealed class ChildStep(string name) : Step
    {
        public override void Apply(Base node, List<Base> output)
        {
            if (!node.TryGetValue(name, out var value) || value is null)
            {
                return;
            }

            switch (value)
            {
                case Base single:
                    output.Add(single);
                    break;
                case IEnumerable many:
                    foreach (var item in many)
                    {
                        if (item is Base b)
                        {
                            output.Add(b);
                        }
                    }

                    break;
            }
        }
    }

    internal sealed class OfTypeStep(string typeName) : Step
    {
        public override void Apply(Base node, List<Base> output)
        {
            if (string.Equals(node.TypeName, typeName, StringComparison.OrdinalIgnoreCase)
                || (typeName == "Quantity" && node is Quantity)
                || (typeName == "uri" && node is FhirUri))
            {
                output.Add(node);
            }
        }
    }

    /// <summary><c>where(resolve() is T)</c>: keeps references whose literal target type is T.</summary>
    internal sealed class ReferenceTypeStep(string typeName) : Step
    {
        public override void Apply(Base node, List<Base> output)
        {
            if (node is ResourceReference reference
                && string.Equals(ReferenceParser.TargetType(reference), typeName, StringComparison.Ordinal))
            {
                output.Add(node);
            }
        }
    }

    /// <summary><c>where(child='literal')</c>, as in <c>telecom.where(system='email')</c>.</summary>
    internal sealed class WhereEqualsStep(string child, string literal) : Step
    {
        public override void Apply(Base node, List<Base> output)
        {
            if (node.TryGetValue(child, out var value) && value is PrimitiveType primitive
                && string.Equals(PrimitiveText.Of(primitive), literal, StringComparison.Ordinal))
            {
                output.Add(node);
            }
        }
    }
}
