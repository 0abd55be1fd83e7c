using System.Numerics;

namespace HealthDataSpace.Core.Research.Cohorts;

/// <summary>A set of patient ordinals as a bitmap: cohort criteria combine with AND, OR and NOT in one pass each.</summary>
internal sealed class PatientSet
{
    private readonly ulong[] _words;

    public PatientSet(int capacity)
    {
        Capacity = capacity;
        _words = new ulong[(capacity + 63) / 64];
    }

    public int Capacity { get; }

    public void Add(int patient) => _words[patient >> 6] |= 1UL << (patient & 63);

    public bool Contains(int patient) => patient < Capacity && (_words[patient >> 6] & (1UL << (patient & 63))) != 0;

    public int Count()
    {
        var count = 0;
        foreach (var word in _words)
        {
            count += BitOperations.PopCount(word);
        }

        return count;
    }

    public PatientSet And(PatientSet other)
    {
        for (var i = 0; i < _words.Length; i++)
        {
            _words[i] &= i < other._words.Length ? other._words[i] : 0;
        }

        return this;
    }

    public PatientSet Or(PatientSet other)
    {
        for (var i = 0; i < _words.Length && i < other._words.Length; i++)
        {
            _words[i] |= other._words[i];
        }

        return this;
    }

    /// <summary>Complement within <paramref name="universe"/> (the patients that exist).</summary>
    public PatientSet Not(PatientSet universe)
    {
        for (var i = 0; i < _words.Length; i++)
        {
            _words[i] = ~_words[i] & (i < universe._words.Length ? universe._words[i] : 0);
        }

        return this;
    }

    public IEnumerable<int> Members()
    {
        for (var i = 0; i < _words.Length; i++)
        {
            var word = _words[i];
            while (word != 0)
            {
                var bit = BitOperations.TrailingZeroCount(word);
                yield return (i << 6) + bit;
                word &= word - 1;
            }
        }
    }
}
