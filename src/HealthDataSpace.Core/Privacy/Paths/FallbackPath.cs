using System.Buffers;
using System.Text.Json;
using Hl7.Fhir.FhirPath;
using Hl7.Fhir.Model;
using Hl7.Fhir.Serialization;
using Hl7.FhirPath;

namespace HealthDataSpace.Core.Privacy;

/// <summary>
/// A rule path the compiler could not turn into a <see cref="PathProgram"/>, evaluated by the Firely FHIRPath engine:
/// the resource's current state is handed to Firely as a POCO, and each result is mapped back to the element tree by
/// its location (names and list positions). Slow, but only for the rules that need it.
/// </summary>
internal sealed class FallbackPath(string expression)
{
    private static readonly FhirJsonDeserializer Deserializer = new(new DeserializerSettings().UsingMode(DeserializationMode.Recoverable));

    private readonly CompiledExpression _compiled = FhirPathSymbols.Compiler.Compile(expression);

    public void Run(FhirNode resource, List<FhirNode> found)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer, FhirTreeWriter.Compact))
        {
            FhirTreeWriter.Write(writer, resource);
        }

        // Recoverable: a value an earlier rule made non-conformant (a hash in a date, say) must not stop the query.
        Deserializer.TryDeserializeResource(new Utf8JsonReader(buffer.WrittenSpan), out var poco, out _);
        if (poco is null)
        {
            return;
        }

        var results = _compiled(new[] { poco.ToPocoNode() }, new FhirEvaluationContext()).ToList();
        foreach (var result in results)
        {
            if (Locate(resource, result) is { } node)
            {
                found.Add(node);
            }
        }
    }

    private static FhirNode? Locate(FhirNode resource, PocoNode result)
    {
        var path = new Stack<(string Name, int Index)>();
        var current = result;
        while (current.Parent is not null)
        {
            path.Push((current.Name, current.Index ?? 0));
            current = current.Parent;
        }

        var node = resource;
        foreach (var (name, index) in path)
        {
            var seen = 0;
            FhirNode? next = null;
            foreach (var child in node.Children ?? [])
            {
                if (child.Name == name && seen++ == index)
                {
                    next = child;
                    break;
                }
            }

            if (next is null)
            {
                return null;
            }

            node = next;
        }

        return node;
    }
}
