using System.Text.Encodings.Web;
using System.Text.Json;

namespace HealthDataSpace.Core.Privacy;

/// <summary>
/// Writes the element tree back as FHIR JSON: elements in their input order, lists as arrays, a primitive's id and
/// extensions under <c>_name</c>. Elements left without value or children are dropped first, as the anonymizer does.
/// </summary>
internal static class FhirTreeWriter
{
    public static readonly JsonWriterOptions Compact = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, SkipValidation = true };
    public static readonly JsonWriterOptions Indented = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, SkipValidation = true, Indented = true };

    public static void Write(Utf8JsonWriter writer, FhirNode resource)
    {
        Prune(resource);
        writer.WriteStartObject();
        WriteBody(writer, resource);
        writer.WriteEndObject();
    }

    /// <summary>Removes, bottom-up, every element that has neither a value nor children. Returns whether node is empty.</summary>
    public static bool Prune(FhirNode node)
    {
        if (node.Children is { } children)
        {
            children.RemoveAll(Prune);
        }

        return !node.IsResource && node.Value is null && (node.Children is null || node.Children.Count == 0);
    }

    private static void WriteBody(Utf8JsonWriter writer, FhirNode node)
    {
        if (node.IsResource)
        {
            writer.WriteString("resourceType"u8, node.InstanceType);
        }

        if (node.Children is not { } children)
        {
            return;
        }

        for (var i = 0; i < children.Count; i++)
        {
            if (IsFirstOfItsName(children, i))
            {
                WriteElement(writer, children, i);
            }
        }
    }

    private static bool IsFirstOfItsName(List<FhirNode> children, int index)
    {
        var name = children[index].JsonName;
        for (var i = index - 1; i >= 0; i--)
        {
            if (children[i].JsonName == name)
            {
                return false;
            }
        }

        return true;
    }

    private static void WriteElement(Utf8JsonWriter writer, List<FhirNode> children, int first)
    {
        var head = children[first];
        if (head.Type.IsPrimitive)
        {
            WritePrimitives(writer, children, first);
            return;
        }

        writer.WritePropertyName(head.JsonName);
        if (!head.InCollection)
        {
            WriteObject(writer, head);
            return;
        }

        writer.WriteStartArray();
        for (var i = first; i < children.Count; i++)
        {
            if (children[i].JsonName == head.JsonName)
            {
                WriteObject(writer, children[i]);
            }
        }

        writer.WriteEndArray();
    }

    private static void WriteObject(Utf8JsonWriter writer, FhirNode node)
    {
        writer.WriteStartObject();
        WriteBody(writer, node);
        writer.WriteEndObject();
    }

    private static void WritePrimitives(Utf8JsonWriter writer, List<FhirNode> children, int first)
    {
        var head = children[first];
        bool anyValue = false, anyExtras = false;
        for (var i = first; i < children.Count; i++)
        {
            if (children[i].JsonName == head.JsonName)
            {
                anyValue |= children[i].Value is not null;
                anyExtras |= children[i].Children is { Count: > 0 };
            }
        }

        if (anyValue)
        {
            writer.WritePropertyName(head.JsonName);
            WriteSeries(writer, children, first, head.InCollection, static (w, n) => WriteValue(w, n));
        }

        if (anyExtras)
        {
            writer.WritePropertyName("_" + head.JsonName);
            WriteSeries(writer, children, first, head.InCollection, static (w, n) =>
            {
                if (n.Children is { Count: > 0 })
                {
                    WriteObject(w, n);
                }
                else
                {
                    w.WriteNullValue();
                }
            });
        }
    }

    private static void WriteSeries(Utf8JsonWriter writer, List<FhirNode> children, int first, bool asArray, Action<Utf8JsonWriter, FhirNode> write)
    {
        if (!asArray)
        {
            write(writer, children[first]);
            return;
        }

        writer.WriteStartArray();
        var name = children[first].JsonName;
        for (var i = first; i < children.Count; i++)
        {
            if (children[i].JsonName == name)
            {
                write(writer, children[i]);
            }
        }

        writer.WriteEndArray();
    }

    private static void WriteValue(Utf8JsonWriter writer, FhirNode node)
    {
        if (node.Value is not { } value)
        {
            writer.WriteNullValue();
            return;
        }

        switch (node.Type.JsonKind)
        {
            case JsonPrimitiveKind.Number:
                writer.WriteRawValue(value, skipInputValidation: false);
                break;
            case JsonPrimitiveKind.Boolean:
                writer.WriteBooleanValue(value == "true");
                break;
            default:
                writer.WriteStringValue(value);
                break;
        }
    }
}
