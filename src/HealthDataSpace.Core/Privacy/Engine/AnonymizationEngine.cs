using System.Buffers;
using System.Collections.Concurrent;
using System.Collections.Frozen;
using System.Text.Json;

namespace HealthDataSpace.Core.Privacy;

/// <summary>
/// Anonymizes FHIR R4 JSON with a policy, as Microsoft's anonymizer does, at the speed of a JSON pass: the policy is
/// compiled once into per-resource-type rule lists whose paths run directly on the element tree (Firely FHIRPath only
/// for paths the compiler cannot handle). Every resource in the input (bundle entries, contained resources) is
/// processed with its own type's rules, first matching rule per element wins, unmatched elements are kept.
/// Thread-safe: one engine serves parallel calls.
/// </summary>
public sealed class AnonymizationEngine
{
    private readonly CompiledRule[] _rules;
    private readonly ConcurrentDictionary<string, CompiledRule[]> _rulesByType = new(StringComparer.Ordinal);
    private readonly FrozenSet<string> _indexedTypes;
    private readonly FrozenSet<string> _indexedNames;
    private readonly NodeProcessor _processor;
    private readonly TimeProvider _clock;
    private readonly bool _needsPatientKeys;

    [ThreadStatic]
    private static OutputScratch? t_output;

    [ThreadStatic]
    private static ResourceNodeIndex? t_index;

    private AnonymizationEngine(AnonymizationPolicy policy, PseudonymDomain domain, TimeProvider clock)
    {
        Policy = policy;
        Domain = domain;
        _clock = clock;
        _rules = [.. policy.Rules.Select(CompiledRule.Compile)];
        CheckKeys(_rules, domain);
        var programs = _rules.SelectMany(r => r.Programs ?? []).ToList();
        _indexedTypes = programs.Where(p => p.Start == PathStart.NodesByType).Select(p => p.StartKey!).ToFrozenSet(StringComparer.Ordinal);
        _indexedNames = programs.Where(p => p.Start == PathStart.NodesByName).Select(p => p.StartKey!).ToFrozenSet(StringComparer.Ordinal);
        _processor = new NodeProcessor(policy.Parameters, domain);
        _needsPatientKeys = domain.IsProjectDomain && _rules.Any(r => r.Method == AnonymizationMethod.DateShift);
    }

    public AnonymizationPolicy Policy { get; }

    public PseudonymDomain Domain { get; }

    /// <summary>
    /// Binds a policy to a pseudonym domain. Without one (Microsoft-compatible mode) the policy's own keys are used,
    /// and a rule whose method needs a key the policy leaves empty is refused, naming the rule.
    /// </summary>
    public static AnonymizationEngine Create(AnonymizationPolicy policy, PseudonymDomain? domain = null, TimeProvider? clock = null)
    {
        ArgumentNullException.ThrowIfNull(policy);
        return new AnonymizationEngine(policy, domain ?? PseudonymDomain.FromPolicy(policy.Parameters), clock ?? TimeProvider.System);
    }

    /// <summary>Anonymizes one JSON resource (a Bundle counts as one, its entries inside it) into JSON bytes.</summary>
    /// <exception cref="FhirParseException">The input is not a FHIR R4 resource.</exception>
    /// <exception cref="AnonymizationProcessingException">processingErrors is raise and a rule failed on the resource.</exception>
    public byte[] Anonymize(ReadOnlySpan<byte> utf8Json, AnonymizationInput? input = null, bool indented = false)
    {
        if (indented)
        {
            var buffer = new ArrayBufferWriter<byte>(utf8Json.Length);
            using (var writer = new Utf8JsonWriter(buffer, FhirTreeWriter.Indented))
            {
                Anonymize(utf8Json, writer, input);
            }

            return buffer.WrittenSpan.ToArray();
        }

        return ToArray(FhirTreeReader.Parse(utf8Json), input);
    }

    /// <summary>Anonymizes one JSON resource and writes it; returns how many resources it held (entries included).</summary>
    public int Anonymize(ReadOnlySpan<byte> utf8Json, Utf8JsonWriter writer, AnonymizationInput? input = null)
    {
        ArgumentNullException.ThrowIfNull(writer);
        return Anonymize(FhirTreeReader.Parse(utf8Json), writer, input);
    }

    /// <summary>
    /// Anonymizes a resource already parsed with <see cref="FhirTreeReader"/> (a caller that must look at the original
    /// first, as an export does for its consent decision, parses once). The tree is changed in place.
    /// </summary>
    internal byte[] Anonymize(FhirNode root) => ToArray(root, input: null);

    /// <summary>Anonymizes and writes compact JSON through this thread's reusable buffer and writer, so only the result is allocated.</summary>
    private byte[] ToArray(FhirNode root, AnonymizationInput? input)
    {
        // Taken out of the slot while in use: a nested call on this thread (none today) would get its own.
        var scratch = t_output ?? new OutputScratch();
        t_output = null;
        scratch.Writer.Reset(scratch.Buffer);
        Anonymize(root, scratch.Writer, input);
        scratch.Writer.Flush();
        var result = scratch.Buffer.WrittenSpan.ToArray();
        scratch.Buffer.ResetWrittenCount();
        // A huge resource (a bundle of thousands) must not pin its buffer to the thread for good.
        t_output = scratch.Buffer.Capacity <= OutputScratch.KeepAtMost ? scratch : null;
        return result;
    }

    private int Anonymize(FhirNode root, Utf8JsonWriter writer, AnonymizationInput? input)
    {
        // The node index (two dictionaries of lists) is reused per thread, so a run over one small resource allocates
        // none of them; it is taken out of the slot while in use.
        var index = t_index is { } cached && cached.Serves(_indexedTypes, _indexedNames) ? cached : new ResourceNodeIndex(_indexedTypes, _indexedNames);
        t_index = null;
        var run = new AnonymizationRun(index, _clock, DateShiftPrefix(input));
        try
        {
            if (_needsPatientKeys)
            {
                run.AssignPatientKeys(root);
            }

            VisitResource(root, run);
        }
        catch (AnonymizationProcessingException) when (Policy.ProcessingErrors == ProcessingErrorsMode.Skip)
        {
            root = SecurityLabels.EmptyResource(root.Type);
        }
        finally
        {
            index.Clear();
            t_index = index;
        }

        FhirTreeWriter.Write(writer, root);
        return run.ResourceCount;
    }

    private string? DateShiftPrefix(AnonymizationInput? input) => Policy.Parameters.DateShiftScope switch
    {
        DateShiftScope.File when input?.FileName is { } file => Path.GetFileName(file),
        DateShiftScope.Folder when input?.FolderName is { } folder => Path.GetFileName(folder.TrimEnd('\\', '/')),
        _ => null,
    };

    private ProcessedOperations VisitResource(FhirNode resource, AnonymizationRun run)
    {
        run.ResourceCount++;
        var operations = ApplyRules(resource, run);
        operations |= VisitNestedResources(resource, run);
        if (resource.Name != "contained")
        {
            SecurityLabels.Add(resource, operations);
        }

        return operations;
    }

    private ProcessedOperations VisitNestedResources(FhirNode node, AnonymizationRun run)
    {
        var operations = ProcessedOperations.None;
        if (node.Children is not { } children)
        {
            return operations;
        }

        for (var i = 0; i < children.Count; i++)
        {
            var child = children[i];
            if (child.IsResource)
            {
                operations |= VisitResource(child, run);
            }
            else if (!child.Type.IsPrimitive)
            {
                operations |= VisitNestedResources(child, run);
            }
        }

        return operations;
    }

    private ProcessedOperations ApplyRules(FhirNode resource, AnonymizationRun run)
    {
        if (!_rulesByType.TryGetValue(resource.InstanceType, out var rules))
        {
            rules = _rulesByType.GetOrAdd(resource.InstanceType, static (type, all) => [.. all.Where(r => r.AppliesTo(type))], _rules);
        }

        if (rules.Length == 0)
        {
            return ProcessedOperations.None;
        }

        run.Index.Build(resource);
        var operations = ProcessedOperations.None;
        var matches = run.Matches;
        foreach (var rule in rules)
        {
            matches.Clear();
            rule.FindMatches(resource, run.Index, matches);
            foreach (var match in matches)
            {
                operations |= ProcessRecursive(match, rule, run);
            }
        }

        return operations;
    }

    /// <summary>The rule processes the matched node and every descendant no earlier rule took, not entering nested resources.</summary>
    private ProcessedOperations ProcessRecursive(FhirNode node, CompiledRule rule, AnonymizationRun run)
    {
        if (node.Visited)
        {
            return ProcessedOperations.None;
        }

        var operations = _processor.Process(node, rule, run);
        node.VisitedBy = rule.Index;
        if (node.Children is { } children)
        {
            for (var i = 0; i < children.Count; i++)
            {
                if (!children[i].IsResource)
                {
                    operations |= ProcessRecursive(children[i], rule, run);
                }
            }
        }

        return operations;
    }

    /// <summary>A thread's output buffer and compact writer, reused across calls (the writer is reset onto the buffer each time).</summary>
    private sealed class OutputScratch
    {
        public const int KeepAtMost = 1 << 20;

        public ArrayBufferWriter<byte> Buffer { get; } = new(16 * 1024);

        public Utf8JsonWriter Writer { get; } = new(Stream.Null, FhirTreeWriter.Compact);
    }

    private static void CheckKeys(CompiledRule[] rules, PseudonymDomain domain)
    {
        foreach (var rule in rules)
        {
            var missing = rule.Method switch
            {
                AnonymizationMethod.CryptoHash when !domain.HasHashKey => "parameters.cryptoHashKey",
                AnonymizationMethod.Encrypt when !domain.HasEncryptKey => "parameters.encryptKey",
                AnonymizationMethod.DateShift when !domain.HasDateShiftKey => "parameters.dateShiftKey (or dateShiftFixedOffsetInDays)",
                _ => null,
            };
            if (missing is not null)
            {
                throw PolicyException.ForRule(rule.Rule, $"the method needs {missing}, which the policy leaves empty; set it, or run with a project so keys are derived from the master key.");
            }
        }
    }
}

/// <summary>Where an input came from, for the anonymizer's file and folder date-shift scopes.</summary>
public sealed record AnonymizationInput(string? FileName = null, string? FolderName = null);
