using System.Text;
using System.Text.Json;
using Jailgrade.Policy.Consensus;
using Jailgrade.Policy.Eligibility;
using Jailgrade.Policy.Obligations;
using Jailgrade.Standard.Scoring;

namespace Jailgrade.Policy.Decisions;

/// <summary>
/// Writes decisions as JSON (the shape of <c>jailgrade decide --json</c>, documented in
/// docs/policy.md). Properties always appear in the same order, so equal decisions give equal bytes.
/// </summary>
public static class DecisionJson
{
    /// <summary>The decision as a JSON document.</summary>
    public static string Serialize(Decision decision, bool indented = true, ConsensusResult? consensus = null, IReadOnlyList<PartyAssessment>? assessments = null)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = indented }))
        {
            Write(writer, decision, consensus, assessments);
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    /// <summary>
    /// Writes the decision as one JSON object; with a consensus, also which party's assessment stood,
    /// why, and every assessment with its score.
    /// </summary>
    public static void Write(Utf8JsonWriter writer, Decision decision, ConsensusResult? consensus = null, IReadOnlyList<PartyAssessment>? assessments = null)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(decision);
        writer.WriteStartObject();
        writer.WriteStartObject("policy");
        writer.WriteString("id", decision.Policy.Id);
        writer.WriteString("version", decision.Policy.Version);
        writer.WriteString("sha256", decision.Policy.Sha256);
        writer.WriteEndObject();
        writer.WriteString("vector", decision.Request.Vector.ToString());
        writer.WriteScore("score", decision.Score.Base);
        writer.WriteString("band", decision.Band.ToString());
        writer.WriteString("band_source", decision.Request.BandProbabilities is null ? "vector" : "probabilities");
        writer.WriteString("outcome", decision.Outcome.ToString());
        if (decision.Row is { } row)
        {
            writer.WriteNumber("row", row.Number);
        }
        else
        {
            writer.WriteNull("row");
        }

        writer.WriteStartObject("inputs");
        foreach (var (input, value) in decision.Inputs)
        {
            writer.WriteString(input.Name, value);
        }

        writer.WriteEndObject();
        writer.WriteString("rationale", decision.Rationale);
        writer.WriteStartObject("clock");
        foreach (var clockEvent in Enum.GetValues<ClockEvent>())
        {
            WriteInstant(writer, CaseClock.EventNames[(int)clockEvent], decision.Clock[clockEvent]);
        }

        writer.WriteEndObject();
        writer.WriteBoolean("decided_defaulted", decision.DecidedDefaulted);
        writer.WriteStartArray("obligations");
        foreach (var obligation in decision.Obligations)
        {
            WriteObligation(writer, obligation);
        }

        writer.WriteEndArray();
        writer.WriteStartObject("eligibility");
        foreach (var ladder in decision.Eligibility)
        {
            writer.WriteStartObject(ladder.Tier.Name);
            foreach (var level in IdentityLevels.All)
            {
                writer.WriteStartObject(level.Name());
                writer.WriteString("decision", ladder[level].AccessName);
                writer.WriteStartArray("conditions");
                foreach (var condition in ladder[level].Conditions)
                {
                    writer.WriteStringValue(condition);
                }

                writer.WriteEndArray();
                writer.WriteEndObject();
            }

            writer.WriteEndObject();
        }

        writer.WriteEndObject();
        if (decision.Request.Countries is not null)
        {
            writer.WriteStartObject("countries");
            foreach (var country in decision.Countries)
            {
                writer.WriteString(country.Country, country.Ladder.Tier.Name);
            }

            writer.WriteEndObject();
        }

        if (consensus is not null)
        {
            WriteConsensus(writer, consensus, assessments ?? [consensus.Standing]);
        }

        writer.WriteEndObject();
    }

    private static void WriteConsensus(Utf8JsonWriter writer, ConsensusResult consensus, IReadOnlyList<PartyAssessment> assessments)
    {
        writer.WriteStartObject("consensus");
        writer.WriteString("standing", consensus.Standing.Party);
        writer.WriteString("reason", consensus.Reason);
        writer.WriteStartArray("assessments");
        foreach (var assessment in assessments)
        {
            var score = JgScorer.Score(assessment.Vector);
            writer.WriteStartObject();
            writer.WriteString("party", assessment.Party);
            writer.WriteString("vector", assessment.Vector.ToString());
            writer.WriteScore("score", score.Base);
            writer.WriteString("band", score.Band.ToString());
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
    }

    private static void WriteObligation(Utf8JsonWriter writer, ScheduledObligation obligation)
    {
        var spec = obligation.Spec;
        writer.WriteStartObject();
        writer.WriteString("kind", spec.KindName);
        writer.WriteString("party", spec.Party);
        writer.WriteString("from", CaseClock.EventNames[(int)spec.From]);
        WriteInstant(writer, "due", obligation.Due);
        writer.WriteBoolean("overdue", obligation.Overdue);
        if (spec.Kind == ObligationKind.Disclose)
        {
            writer.WriteStartObject("window");
            WriteInstant(writer, "notBefore", obligation.NotBefore);
            WriteInstant(writer, "notAfter", obligation.Due);
            writer.WriteEndObject();
        }

        if (spec.Every is { } every)
        {
            writer.WriteStartObject("recurs");
            writer.WriteString("every", every.ToString());
            writer.WriteString("until", "resolved");
            WriteInstant(writer, "resolved", obligation.Until);
            writer.WriteEndObject();
        }

        if (spec.WhenWritten.Count > 0)
        {
            writer.WriteStartObject("when");
            foreach (var (input, condition) in spec.WhenWritten)
            {
                writer.WriteString(input, condition);
            }

            writer.WriteEndObject();
        }

        if (spec.Note is { } note)
        {
            writer.WriteString("note", note);
        }

        writer.WriteEndObject();
    }

    private static void WriteInstant(Utf8JsonWriter writer, string name, DateTimeOffset? instant)
    {
        if (instant is { } value)
        {
            writer.WriteString(name, Timestamps.Format(value));
        }
        else
        {
            writer.WriteNull(name);
        }
    }
}
