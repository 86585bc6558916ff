using Jailgrade.Policy.Consensus;
using Jailgrade.Policy.Decisions;
using Jailgrade.Policy.Eligibility;
using Jailgrade.Policy.Examples;
using Jailgrade.Policy.Internal;
using Jailgrade.Policy.Obligations;
using Jailgrade.Policy.Tables;
using Jailgrade.Standard;
using Jailgrade.Standard.Scoring;

namespace Jailgrade.Policy;

/// <summary>A source a policy's numbers come from.</summary>
public sealed record PolicySource(string Id, string Title, string? Url, string? Note);

/// <summary>What an outcome means in a policy and the obligations it carries.</summary>
public sealed record OutcomeSpec(Outcome Outcome, string? Summary, IReadOnlyList<ObligationSpec> Obligations);

/// <summary>
/// A loaded policy whose decision table has been proved complete and monotone and whose eligibility
/// ladders have been proved monotone. Immutable and thread-safe; deciding is pure.
/// </summary>
public sealed class JgPolicy
{
    private readonly CompiledTable _table;
    private readonly Dictionary<string, int> _tierOfCountry;
    private readonly EligibilityLadder[][] _eligibilityByOutcome;

    internal JgPolicy(PolicyHeader header, IReadOnlyList<PolicyInput> inputs, IReadOnlyList<DecisionRow> rows, Outcome? defaultOutcome, IReadOnlyList<OutcomeSpec> outcomes, IReadOnlyList<JurisdictionTier> tiers, EligibilityLadder[][] eligibilityByOutcome, CompiledTable table)
    {
        Id = header.Id;
        Version = header.Version;
        Title = header.Title;
        Summary = header.Summary;
        Sources = header.Sources;
        Parties = header.Parties;
        Confidence = header.Confidence;
        Consensus = header.Consensus;
        SourceName = header.SourceName;
        Stamp = new PolicyStamp(header.Id, header.Version, header.Sha256);
        Inputs = inputs;
        Rows = rows;
        Default = defaultOutcome;
        Outcomes = outcomes;
        Tiers = tiers;
        _eligibilityByOutcome = eligibilityByOutcome;
        _table = table;
        _tierOfCountry = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var t = 0; t < tiers.Count; t++)
        {
            foreach (var country in tiers[t].Countries)
            {
                _tierOfCountry[country] = t;
            }
        }
    }

    /// <summary>The stable id (<c>us-frontier</c>).</summary>
    public string Id { get; }

    /// <summary>The policy's version as written.</summary>
    public string Version { get; }

    /// <summary>The title.</summary>
    public string Title { get; }

    /// <summary>An optional summary.</summary>
    public string? Summary { get; }

    /// <summary>The sources the policy's numbers come from.</summary>
    public IReadOnlyList<PolicySource> Sources { get; }

    /// <summary>The parties obligations name, with their descriptions.</summary>
    public IReadOnlyDictionary<string, string> Parties { get; }

    /// <summary>The confidence q for deciding on band probabilities.</summary>
    public double Confidence { get; }

    /// <summary>How a consensus is formed when several parties assess one case.</summary>
    public ConsensusRule Consensus { get; }

    /// <summary>The file (or resource) the policy was loaded from.</summary>
    public string SourceName { get; }

    /// <summary>Id, version and SHA-256 of the file's bytes with LF line endings.</summary>
    public PolicyStamp Stamp { get; }

    /// <summary>The decision table's inputs, in column order.</summary>
    public IReadOnlyList<PolicyInput> Inputs { get; }

    /// <summary>The decision table's rows.</summary>
    public IReadOnlyList<DecisionRow> Rows { get; }

    /// <summary>The table's default outcome, if it declares one.</summary>
    public Outcome? Default { get; }

    /// <summary>Each outcome's meaning and obligations, Track first.</summary>
    public IReadOnlyList<OutcomeSpec> Outcomes { get; }

    /// <summary>The jurisdiction tiers, which together cover every country once.</summary>
    public IReadOnlyList<JurisdictionTier> Tiers { get; }

    /// <summary>The example cases the policy ships with.</summary>
    public IReadOnlyList<PolicyExample> Examples { get; internal set; } = [];

    /// <summary>The number of input combinations the table decides.</summary>
    public int CombinationCount => _table.CellCount;

    internal CompiledTable Table => _table;

    /// <summary>The eligibility ladders of an outcome, in tier order.</summary>
    public IReadOnlyList<EligibilityLadder> EligibilityOf(Outcome outcome) => _eligibilityByOutcome[(int)outcome];

    /// <summary>The tier a country belongs to. Throws <see cref="ArgumentException"/> for an unknown code.</summary>
    public JurisdictionTier TierOf(string country) => Tiers[TierIndexOf(country)];

    internal int TierIndexOf(string country) =>
        _tierOfCountry.TryGetValue(country, out var tier) ? tier : throw new ArgumentException($"'{country}' is not an ISO 3166-1 alpha-2 country code.", nameof(country));

    /// <summary>Decides a case; throws <see cref="ArgumentException"/> when the case does not fit the policy.</summary>
    public Decision Decide(DecisionRequest request, TimeProvider? time = null) =>
        TryDecide(request, time, out var decision, out var error) ? decision! : throw new ArgumentException(error, nameof(request));

    /// <summary>
    /// Decides a case. When <paramref name="time"/> is given and the case has no <c>decided</c>
    /// instant, the decision is taken now by that clock; without it, obligations running from
    /// <c>decided</c> have no due time. Fails (never throws) on a fact value the policy does not
    /// declare, a missing fact without default, an unknown country, a clock instant outside
    /// <see cref="Timestamps.Earliest"/> to <see cref="Timestamps.Latest"/>, or a clock whose events
    /// are out of order (<see cref="CaseClock.IsPossible"/>).
    /// </summary>
    public bool TryDecide(DecisionRequest request, TimeProvider? time, out Decision? decision, out string error)
    {
        ArgumentNullException.ThrowIfNull(request);
        decision = null;
        var score = JgScorer.Score(request.Vector);
        var band = request.BandProbabilities?.HighestWithConfidence(Confidence) ?? score.Band;
        var cell = 0;
        for (var i = 0; i < Inputs.Count; i++)
        {
            if (!TryValueOf(Inputs[i], request, band, out var value, out error))
            {
                return false;
            }

            cell += value * _table.Strides[i];
        }

        if (request.Countries is { } countries)
        {
            foreach (var country in countries)
            {
                if (!_tierOfCountry.ContainsKey(country))
                {
                    Eligibility.Countries.TryCheck(country, out error);
                    return false;
                }
            }
        }

        var clock = request.Clock;
        var decidedNow = time is not null && clock.Decided is null;
        if (decidedNow)
        {
            clock = clock with { Decided = time!.GetUtcNow().ToUniversalTime() };
        }

        // Due dates are computed from these; outside the range they might not be representable.
        for (var e = 0; e < CaseClock.EventNames.Count; e++)
        {
            if (clock[(ClockEvent)e] is { } instant && !Timestamps.IsInRange(instant))
            {
                error = $"'{CaseClock.EventNames[e]}' {Timestamps.Format(instant)} is {Timestamps.OutOfRange}";
                return false;
            }
        }

        if (!clock.IsPossible(decidedNow, out error))
        {
            return false;
        }

        var outcome = (Outcome)_table.Outcomes[cell];
        var row = _table.Rows[cell] is var number and >= 0 ? Rows[number] : null;
        decision = new Decision(this, request, score, band, cell, outcome, row, _table.Sets[_table.ObligationSets[cell]], _eligibilityByOutcome[(int)outcome], clock, decidedNow);
        error = "";
        return true;
    }

    private static bool TryValueOf(PolicyInput input, DecisionRequest request, Band band, out int value, out string error)
    {
        error = "";
        var vector = request.Vector;
        switch (input.Source)
        {
            case InputSource.Band: value = (int)band; return true;
            case InputSource.Tier: value = (int)vector.Tier; return true;
            case InputSource.Exploitation: value = vector[Metric.Exploitation]; return true;
            case InputSource.Exposure: value = vector[Metric.DeploymentExposure]; return true;
            case InputSource.Mitigation: value = vector[Metric.MitigationStatus]; return true;
        }

        var stated = request.Facts.TryGetValue(input.Name, out var text) ? text : input.DefaultValue;
        if (stated is null)
        {
            value = -1;
            error = $"the case must state '{input.Name}' (one of: {string.Join(", ", input.Values)})";
            return false;
        }

        value = input.IndexOf(stated);
        if (value < 0)
        {
            error = $"'{stated}' is not a value of '{input.Name}' (one of: {string.Join(", ", input.Values)})";
            return false;
        }

        return true;
    }
}

/// <summary>The descriptive part of a policy, gathered by the loader.</summary>
internal sealed record PolicyHeader(string SourceName, string Sha256, string Id, string Version, string Title, string? Summary, IReadOnlyList<PolicySource> Sources, IReadOnlyDictionary<string, string> Parties, double Confidence, ConsensusRule Consensus);
