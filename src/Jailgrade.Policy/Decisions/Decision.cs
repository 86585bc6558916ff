using System.Globalization;
using Jailgrade.Policy.Eligibility;
using Jailgrade.Policy.Obligations;
using Jailgrade.Policy.Tables;
using Jailgrade.Standard.Scoring;

namespace Jailgrade.Policy.Decisions;

/// <summary>The policy a decision was taken under: id, version and SHA-256 of the file (LF line endings).</summary>
public sealed record PolicyStamp(string Id, string Version, string Sha256);

/// <summary>One country's tier and the eligibility ladder that applies to it.</summary>
public sealed record CountryEligibility(string Country, EligibilityLadder Ladder);

/// <summary>
/// What a policy decided for one case: the outcome, the row that fired (or the default) and the input
/// values it saw, every obligation with its absolute times, export eligibility per tier (and per
/// country when asked), stamped with the policy.
/// </summary>
public sealed class Decision
{
    private readonly JgPolicy _policy;
    private readonly int _cell;
    private readonly ObligationSpec[] _specs;
    private ScheduledObligation[]? _obligations;

    // Deciding stays allocation-light: obligations are scheduled and inputs spelled out only when read.
    internal Decision(JgPolicy policy, DecisionRequest request, JgScore score, Band band, int cell, Outcome outcome, DecisionRow? row, ObligationSpec[] specs, IReadOnlyList<EligibilityLadder> eligibility, CaseClock clock, bool decidedDefaulted)
    {
        _policy = policy;
        _cell = cell;
        _specs = specs;
        Request = request;
        Score = score;
        Band = band;
        Outcome = outcome;
        Row = row;
        Eligibility = eligibility;
        Clock = clock;
        DecidedDefaulted = decidedDefaulted;
    }

    /// <summary>The policy's id, version and content hash.</summary>
    public PolicyStamp Policy => _policy.Stamp;

    /// <summary>The case decided.</summary>
    public DecisionRequest Request { get; }

    /// <summary>The vector's score.</summary>
    public JgScore Score { get; }

    /// <summary>The band the table saw: the base band, or the band at the policy's confidence when probabilities were given.</summary>
    public Band Band { get; }

    /// <summary>The outcome.</summary>
    public Outcome Outcome { get; }

    /// <summary>The row that decided, or <see langword="null"/> when the table's default did.</summary>
    public DecisionRow? Row { get; }

    /// <summary>The clock the obligations were scheduled on (with <c>decided</c> filled in when a clock was injected).</summary>
    public CaseClock Clock { get; }

    /// <summary>
    /// Whether <c>decided</c> is "now" by the injected clock because the case stated no decided time
    /// (say so: the due dates and what is overdue depend on it).
    /// </summary>
    public bool DecidedDefaulted { get; }

    /// <summary>Every obligation of the outcome whose condition holds, in the policy's order.</summary>
    public IReadOnlyList<ScheduledObligation> Obligations => _obligations ??= Schedule();

    /// <summary>Export eligibility of the outcome in each tier, in the policy's tier order.</summary>
    public IReadOnlyList<EligibilityLadder> Eligibility { get; }

    /// <summary>The input values the table saw, in the policy's input order.</summary>
    public IReadOnlyList<KeyValuePair<PolicyInput, string>> Inputs
    {
        get
        {
            var values = _policy.Table.ValuesOf(_cell);
            return [.. _policy.Inputs.Select((input, i) => new KeyValuePair<PolicyInput, string>(input, input.Values[values[i]]))];
        }
    }

    /// <summary>The tier and ladder of each country the request named, in the request's order.</summary>
    public IReadOnlyList<CountryEligibility> Countries =>
        Request.Countries is { } countries
            ? [.. countries.Select(c => new CountryEligibility(c, Eligibility[_policy.TierIndexOf(c)]))]
            : [];

    /// <summary>
    /// The gate's question: the access a user in <paramref name="country"/> verified to
    /// <paramref name="level"/> gets under this decision. Throws <see cref="ArgumentException"/> for
    /// a code that is not ISO 3166-1 alpha-2.
    /// </summary>
    public AccessRule AccessFor(string country, IdentityLevel level) => Eligibility[_policy.TierIndexOf(country)][level];

    /// <summary>The index in <see cref="Eligibility"/> of the country's tier.</summary>
    internal int TierIndexOf(string country) => _policy.TierIndexOf(country);

    /// <summary>Why: which row fired on which inputs, and where the band came from.</summary>
    public string Rationale
    {
        get
        {
            var inputs = string.Join(", ", Inputs.Select(i => $"{i.Key.Name}={i.Value}"));
            var decidedBy = Row is null
                ? $"no row matched; the table's default decided {Outcome}"
                : $"row {Row.Number} (line {Row.Position.Line}{(Row.Note is null ? "" : $": {Row.Note}")}) decided {Outcome}";
            var band = Request.BandProbabilities is { } probabilities
                ? string.Create(CultureInfo.InvariantCulture, $"band {Band} is the highest with P(band ≥ {Band}) = {probabilities.AtLeast(Band):0.###} ≥ confidence {_policy.Confidence:0.###} (base score {Score.Base}, band {Score.Band})")
                : $"base score {Score.Base} is band {Band}";
            return $"{decidedBy} on {inputs}; {band}.";
        }
    }

    private ScheduledObligation[] Schedule()
    {
        var scheduled = new ScheduledObligation[_specs.Length];
        for (var i = 0; i < scheduled.Length; i++)
        {
            scheduled[i] = ScheduledObligation.Schedule(_specs[i], Clock);
        }

        return scheduled;
    }
}
