using System.Collections.Frozen;

namespace HealthDataSpace.Core.Consent;

/// <summary>
/// The codes of the HL7 v3 PurposeOfUse value set (R4: in <c>v3-ActReason</c>; later also
/// <c>v3-PurposeOfUse</c>), so a request for an unknown purpose is refused instead of silently falling to a default.
/// </summary>
public static class PurposeOfUse
{
    private static readonly FrozenSet<string> Codes = FrozenSet.ToFrozenSet(
    [
        "HMARKT", "HOPERAT", "CAREMGT", "DONAT", "FRAUD", "GOV", "HACCRED", "HCOMPL", "HDECD", "HDIRECT",
        "HDM", "HLEGAL", "HOUTCOMS", "HPRGRP", "HQUALIMP", "HSYSADMIN", "LABELING", "METAMGT", "MEMADMIN", "MILCDM",
        "PATADMIN", "PATSFTY", "PERFMSR", "RECORDMGT", "SYSDEV", "HTEST", "TRAIN", "HPAYMT", "CLMATTCH", "COVAUTH",
        "COVERAGE", "ELIGDTRM", "ELIGVER", "ENROLLM", "MILDCRG", "REMITADV", "HRESCH", "BIORCH", "CLINTRCH", "CLINTRCHNPC",
        "CLINTRCHPC", "PRECLINTRCH", "DSRCH", "POARCH", "TRANSRCH", "PATRQT", "FAMRQT", "PWATRNY", "SUPNWK", "PUBHLTH",
        "DISASTER", "THREAT", "TREAT", "CLINTRL", "COC", "ETREAT", "BTG", "ERTREAT", "POPHLTH",
    ], StringComparer.Ordinal);

    private static readonly FrozenSet<string> Systems = FrozenSet.ToFrozenSet(
        [ConsentPurposes.ActReasonSystem, ConsentPurposes.PurposeOfUseSystem], StringComparer.Ordinal);

    /// <summary>True for a known code, bare (<c>HRESCH</c>) or with its system (<c>system|HRESCH</c>).</summary>
    public static bool IsKnown(string? purpose)
    {
        if (string.IsNullOrEmpty(purpose))
        {
            return false;
        }

        var bar = purpose.IndexOf('|', StringComparison.Ordinal);
        return bar < 0
            ? Codes.Contains(purpose)
            : Systems.Contains(purpose[..bar]) && Codes.Contains(purpose[(bar + 1)..]);
    }

    /// <summary>The bare code of <c>system|code</c> or of a bare code.</summary>
    public static string CodeOf(string purpose)
    {
        ArgumentNullException.ThrowIfNull(purpose);
        var bar = purpose.IndexOf('|', StringComparison.Ordinal);
        return bar < 0 ? purpose : purpose[(bar + 1)..];
    }
}
