using System.Text;
using System.Text.Json;

namespace HealthDataSpace.Core.Privacy;

/// <summary>
/// Reads FHIR R4 JSON into the typed element tree in one pass with <see cref="Utf8JsonReader"/>. An element the R4
/// model does not know, a value of the wrong JSON kind or an unknown resourceType is refused: nothing the engine does
/// not understand can slip through unprocessed.
/// </summary>
internal static class FhirTreeReader
{
    private const int MaxStackName = 96;

    public static FhirNode Parse(ReadOnlySpan<byte> utf8Json) => Read(utf8Json, static (ref Utf8JsonReader reader) =>
    {
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            throw new ProblemAt("a FHIR resource (a JSON object with resourceType) was expected", reader.TokenStartIndex);
        }

        var root = ReadResource(ref reader, parent: null, element: null);
        return reader.Read() ? throw new ProblemAt("unexpected content after the resource", reader.TokenStartIndex) : root;
    });

    /// <summary>Reads a JSON object as an element of the given complex type (a substitute rule's replacement).</summary>
    public static FhirNode ParseFragment(ReadOnlySpan<byte> utf8Json, FhirTypeInfo type)
    {
        return Read(utf8Json, (ref Utf8JsonReader reader) =>
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                throw new ProblemAt("a JSON object was expected", reader.TokenStartIndex);
            }

            var node = new FhirNode(type.Name, type.Name, type, inCollection: false, parent: null);
            ReadProperties(ref reader, node, type);
            return node;
        });
    }

    private delegate FhirNode RootReader(ref Utf8JsonReader reader);

    /// <summary>Runs a reader over the text and turns its problems into <see cref="FhirParseException"/> with line and position.</summary>
    private static FhirNode Read(ReadOnlySpan<byte> utf8Json, RootReader read)
    {
        var reader = new Utf8JsonReader(utf8Json, new JsonReaderOptions { MaxDepth = 256 });
        try
        {
            return read(ref reader);
        }
        catch (ProblemAt problem)
        {
            var (line, position) = LineAndPosition(utf8Json, problem.Offset);
            throw new FhirParseException(problem.Message, line, position);
        }
        catch (JsonException e)
        {
            throw new FhirParseException("the text is not well-formed JSON", (e.LineNumber ?? 0) + 1, (e.BytePositionInLine ?? 0) + 1);
        }
    }

    private static FhirNode ReadResource(ref Utf8JsonReader reader, FhirNode? parent, FhirElementInfo? element)
    {
        var start = reader.TokenStartIndex;
        var resourceType = FindResourceType(reader) ?? throw new ProblemAt("a resource without resourceType", start);
        var type = FhirTypeCatalog.FindResource(resourceType)
            ?? throw new ProblemAt($"'{Sanitize(resourceType)}' is not an R4 resource type", start);
        var node = element is null
            ? new FhirNode(type.Name, type.Name, type, inCollection: false, parent)
            : new FhirNode(element.Name, element.JsonName, type, element.IsCollection, parent);
        ReadProperties(ref reader, node, type);
        return node;
    }

    private static string? FindResourceType(Utf8JsonReader look)
    {
        // A copy of the reader scans ahead: resourceType need not be the first property.
        while (look.Read() && look.TokenType == JsonTokenType.PropertyName)
        {
            if (look.ValueTextEquals("resourceType"u8))
            {
                look.Read();
                return look.TokenType == JsonTokenType.String ? look.GetString() : null;
            }

            look.Read();
            look.Skip();
        }

        return null;
    }

    private static void ReadProperties(ref Utf8JsonReader reader, FhirNode node, FhirTypeInfo type)
    {
        Span<char> buffer = stackalloc char[MaxStackName];
        var extrasSeen = false;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var propertyStart = reader.TokenStartIndex;
            scoped ReadOnlySpan<char> name;
            if (!reader.HasValueSequence && !reader.ValueIsEscaped && reader.ValueSpan.Length <= MaxStackName)
            {
                var length = Encoding.UTF8.GetChars(reader.ValueSpan, buffer);
                name = buffer[..length];
            }
            else
            {
                name = reader.GetString();
            }

            if (type.IsResource && name.SequenceEqual("resourceType"))
            {
                reader.Read();
                continue;
            }

            var isExtensionPart = name.Length > 1 && name[0] == '_';
            if (!type.TryGetElement(isExtensionPart ? name[1..] : name, out var element))
            {
                throw new ProblemAt($"'{Sanitize(name.ToString())}' is not an element of {type.Name}", propertyStart);
            }

            reader.Read();
            if (isExtensionPart)
            {
                extrasSeen = true;
                ReadPrimitiveExtras(ref reader, node, element, propertyStart);
            }
            else if (element.IsCollection)
            {
                if (reader.TokenType != JsonTokenType.StartArray)
                {
                    throw new ProblemAt($"{type.Name}.{element.JsonName} is a list and must be a JSON array", reader.TokenStartIndex);
                }

                var index = 0;
                while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                {
                    ReadValue(ref reader, node, element, index++, extrasSeen);
                }
            }
            else
            {
                ReadValue(ref reader, node, element, 0, extrasSeen);
            }
        }
    }

    private static void ReadValue(ref Utf8JsonReader reader, FhirNode parent, FhirElementInfo element, int index, bool extrasSeen)
    {
        if (element.HoldsResource)
        {
            if (reader.TokenType != JsonTokenType.StartObject)
            {
                throw new ProblemAt($"{element.JsonName} must hold a resource (a JSON object)", reader.TokenStartIndex);
            }

            parent.Add(ReadResource(ref reader, parent, element));
            return;
        }

        var type = element.Type!;
        if (!type.IsPrimitive)
        {
            if (reader.TokenType != JsonTokenType.StartObject)
            {
                throw new ProblemAt($"{element.JsonName} is a {type.Name} and must be a JSON object", reader.TokenStartIndex);
            }

            var child = new FhirNode(element.Name, element.JsonName, type, element.IsCollection, parent);
            parent.Add(child);
            ReadProperties(ref reader, child, type);
            return;
        }

        // Usually the value comes before its _name part; only then can the node be created without a search.
        FhirNode primitive;
        if (extrasSeen)
        {
            primitive = PrimitiveAt(parent, element, index);
        }
        else
        {
            primitive = new FhirNode(element.Name, element.JsonName, type, element.IsCollection, parent);
            parent.Add(primitive);
        }

        primitive.Value = reader.TokenType switch
        {
            JsonTokenType.Null when element.IsCollection => null,
            JsonTokenType.String when type.JsonKind == JsonPrimitiveKind.String => reader.GetString(),
            JsonTokenType.Number when type.JsonKind == JsonPrimitiveKind.Number => Encoding.UTF8.GetString(reader.ValueSpan),
            JsonTokenType.True when type.JsonKind == JsonPrimitiveKind.Boolean => "true",
            JsonTokenType.False when type.JsonKind == JsonPrimitiveKind.Boolean => "false",
            _ => throw new ProblemAt($"{element.JsonName} is a {type.Name}; the JSON value has the wrong kind", reader.TokenStartIndex),
        };
    }

    /// <summary>The <c>_name</c> part of a primitive: its id and extensions, one object (or null) per list item.</summary>
    private static void ReadPrimitiveExtras(ref Utf8JsonReader reader, FhirNode parent, FhirElementInfo element, long propertyStart)
    {
        if (element.Type is not { IsPrimitive: true } type)
        {
            throw new ProblemAt($"_{element.JsonName} is only allowed for primitive elements", propertyStart);
        }

        if (element.IsCollection)
        {
            if (reader.TokenType != JsonTokenType.StartArray)
            {
                throw new ProblemAt($"_{element.JsonName} must be a JSON array", reader.TokenStartIndex);
            }

            var index = 0;
            while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
            {
                if (reader.TokenType != JsonTokenType.Null)
                {
                    ReadExtrasObject(ref reader, PrimitiveAt(parent, element, index), type);
                }

                index++;
            }

            return;
        }

        ReadExtrasObject(ref reader, PrimitiveAt(parent, element, 0), type);
    }

    private static void ReadExtrasObject(ref Utf8JsonReader reader, FhirNode primitive, FhirTypeInfo type)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw new ProblemAt($"_{primitive.JsonName} must be a JSON object", reader.TokenStartIndex);
        }

        ReadProperties(ref reader, primitive, type);
    }

    /// <summary>The index-th primitive of this element under parent, created if the value or its extras come first.</summary>
    private static FhirNode PrimitiveAt(FhirNode parent, FhirElementInfo element, int index)
    {
        var seen = 0;
        if (parent.Children is { } children)
        {
            foreach (var child in children)
            {
                if (ReferenceEquals(child.JsonName, element.JsonName) && seen++ == index)
                {
                    return child;
                }
            }
        }

        FhirNode created = null!;
        for (; seen <= index; seen++)
        {
            created = new FhirNode(element.Name, element.JsonName, element.Type!, element.IsCollection, parent);
            parent.Add(created);
        }

        return created;
    }

    /// <summary>Names from the input are echoed only when they look like element names, never as free text.</summary>
    private static string Sanitize(string name) =>
        name.Length <= 64 && name.All(c => char.IsAsciiLetterOrDigit(c) || c == '_') ? name : "(an unknown name)";

    private static (long Line, long Position) LineAndPosition(ReadOnlySpan<byte> text, long offset)
    {
        var before = text[..(int)Math.Min(offset, text.Length)];
        var line = before.Count((byte)'\n') + 1;
        var lastNewline = before.LastIndexOf((byte)'\n');
        return (line, before.Length - lastNewline);
    }

    private sealed class ProblemAt(string message, long offset) : Exception(message)
    {
        public long Offset { get; } = offset;
    }
}
