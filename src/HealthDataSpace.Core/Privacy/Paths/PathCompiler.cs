using System.Text.RegularExpressions;
using Hl7.FhirPath.Expressions;
using Expression = Hl7.FhirPath.Expressions.Expression;

namespace HealthDataSpace.Core.Privacy;

/// <summary>
/// Turns a rule's FHIRPath (as the anonymizer splits it: optional resource type, then an expression) into compiled
/// <see cref="PathProgram"/>s when it only uses child navigation, <c>nodesByType</c>/<c>nodesByName</c>, <c>|</c>,
/// <c>ofType</c>/<c>as</c> and <c>where</c> with equality tests. Anything else returns null and is evaluated by the
/// Firely FHIRPath engine instead.
/// </summary>
internal static partial class PathCompiler
{
    public static IReadOnlyList<PathProgram>? TryCompile(string expression)
    {
        // The anonymizer's own shortcut for nodesByType('T').x and nodesByName('n').x, which leaves the focus out.
        if (TypeShortcut().Match(expression) is { Success: true } typeMatch)
        {
            return [Shortcut(PathStart.NodesByType, typeMatch)];
        }

        if (NameShortcut().Match(expression) is { Success: true } nameMatch)
        {
            return [Shortcut(PathStart.NodesByName, nameMatch)];
        }

        Expression parsed;
        try
        {
            parsed = FhirPathSymbols.Compiler.Parse(expression);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return null;
        }

        return Compile(parsed);
    }

    private static PathProgram Shortcut(PathStart start, Match match)
    {
        var program = new PathProgram(start, match.Groups["key"].Value, includeSelf: false, []);
        return match.Groups["child"].Success ? program.Then(new ChildStep(match.Groups["child"].Value)) : program;
    }

    private static List<PathProgram>? Compile(Expression expression)
    {
        switch (expression)
        {
            case AxisExpression { AxisName: "that" or "this" }:
                return [new PathProgram(PathStart.Resource, null, includeSelf: true, [])];
            case BracketExpression bracket:
                return Compile(bracket.Operand);
            case ChildExpression child:
                return CompileChild(child);
            case BinaryExpression { Op: "|" } union:
                var left = Compile(union.Arguments.ElementAt(0));
                var right = Compile(union.Arguments.ElementAt(1));
                return left is null || right is null ? null : [.. left, .. right];
            case BinaryExpression { Op: "as" } cast when TypeName(cast.Arguments.ElementAt(1)) is { } asType:
                return Append(Compile(cast.Arguments.ElementAt(0)), new TypeStep(asType));
            case FunctionCallExpression call:
                return CompileFunction(call);
            default:
                return null;
        }
    }

    private static List<PathProgram>? CompileChild(ChildExpression child)
    {
        var focus = Compile(child.Focus);
        if (focus is null)
        {
            return null;
        }

        // A capitalised first step names the resource's own type (Condition.abatement on a Condition).
        var step = char.IsUpper(child.ChildName[0]) && focus.All(p => p.Start == PathStart.Resource && p.Steps.Count == 0)
            ? (PathStep)new TypeStep(child.ChildName)
            : new ChildStep(child.ChildName);
        return Append(focus, step);
    }

    private static List<PathProgram>? CompileFunction(FunctionCallExpression call)
    {
        var arguments = call.Arguments.ToList();
        switch (call.FunctionName)
        {
            case "nodesByType" or "nodesByName" when arguments is [ConstantExpression { Value: string key }] && call.Focus is AxisExpression { AxisName: "that" }:
                return [new PathProgram(call.FunctionName == "nodesByType" ? PathStart.NodesByType : PathStart.NodesByName, key, includeSelf: true, [])];
            case "ofType" when arguments is [var typeArgument] && TypeName(typeArgument) is { } typeName:
                return Append(Compile(call.Focus), new TypeStep(typeName));
            case "where" when arguments is [var condition] && CompilePredicate(condition) is { } predicate:
                return Append(Compile(call.Focus), new WhereStep(predicate));
            default:
                return null;
        }
    }

    private static NodePredicate? CompilePredicate(Expression expression)
    {
        switch (expression)
        {
            case BracketExpression bracket:
                return CompilePredicate(bracket.Operand);
            case BinaryExpression { Op: "and" or "or" } logical:
                var left = CompilePredicate(logical.Arguments.ElementAt(0));
                var right = CompilePredicate(logical.Arguments.ElementAt(1));
                return left is null || right is null ? null : new LogicalPredicate(left, right, logical.Op == "and");
            case BinaryExpression { Op: "=" or "!=" } comparison
                when RelativePath(comparison.Arguments.ElementAt(0)) is { } path
                     && comparison.Arguments.ElementAt(1) is ConstantExpression { Value: string or bool or int or long or decimal } literal:
                return new EqualsPredicate(path, literal.Value, negate: comparison.Op == "!=");
            default:
                return null;
        }
    }

    /// <summary><c>a.b</c> relative to the node a where() tests; null for anything else.</summary>
    private static List<string>? RelativePath(Expression expression)
    {
        switch (expression)
        {
            case AxisExpression { AxisName: "that" or "this" }:
                return [];
            case ChildExpression child when RelativePath(child.Focus) is { } focus:
                focus.Add(child.ChildName);
                return focus;
            default:
                return null;
        }
    }

    private static string? TypeName(Expression expression)
    {
        var name = expression switch
        {
            ConstantExpression { Value: string text } => text,
            ChildExpression { Focus: AxisExpression, ChildName: var childName } => childName,
            _ => null,
        };
        return name?.StartsWith("FHIR.", StringComparison.Ordinal) == true ? name[5..] : name;
    }

    private static List<PathProgram>? Append(List<PathProgram>? programs, PathStep step) =>
        programs?.Select(p => p.Then(step)).ToList();

    [GeneratedRegex("""^nodesByType\(['|"](?<key>[A-Za-z0-9]+)['|"]\)(\.(?<child>[A-Za-z0-9]+))?$""")]
    private static partial Regex TypeShortcut();

    [GeneratedRegex("""^nodesByName\(['|"](?<key>[A-Za-z0-9]+)['|"]\)(\.(?<child>[A-Za-z0-9]+))?$""")]
    private static partial Regex NameShortcut();
}
