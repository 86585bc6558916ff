using System.Text;
using System.Text.Json;
using Jailgrade.Standard;
using Jailgrade.Standard.Probabilities;
using Jailgrade.Standard.Scoring;

namespace Jailgrade.Evaluation.Evidence;

/// <summary>
/// An <see cref="EvidenceGrade"/> as one line of JSON (JSON Lines when several are written): the
/// measured metrics with their probabilities, and with assessor values each real domain's vector,
/// score and band probabilities and the jailbreak's grade. Scores carry exactly one decimal.
/// </summary>
public static class EvidenceJson
{
    /// <summary>Writes the grade as one line of JSON.</summary>
    public static string Write(EvidenceGrade grade, bool judgeOverstates) => Write(grade, new GradeContext { JudgeOverstates = judgeOverstates });

    /// <summary>Writes the grade as one line of JSON, with what judged it and why it is provisional, if it is.</summary>
    public static string Write(EvidenceGrade grade, GradeContext context)
    {
        ArgumentNullException.ThrowIfNull(grade);
        ArgumentNullException.ThrowIfNull(context);
        var judgeOverstates = context.JudgeOverstates;
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("standard", JgMetrics.Standard);
            json.WriteString("target", grade.Target);
            json.WriteString("attack", grade.Attack);
            json.WriteBoolean("judge_overstates_success", judgeOverstates);
            json.WriteString("headline_judge", context.HeadlineJudge);
            if (context.LabelAgreement is { } agreement)
            {
                WriteAgreement(json, context.ComparedJudge, agreement);
            }

            if (context.Calibration is { } calibration)
            {
                json.WriteStartObject("calibration");
                if (calibration.Digest is { } digest)
                {
                    json.WriteString("digest", digest);
                }
                else
                {
                    json.WriteNull("digest");
                }

                json.WriteStartArray("uncovered_targets");
                foreach (var id in calibration.UncoveredTargets)
                {
                    json.WriteStringValue(id);
                }

                json.WriteEndArray();
                json.WriteEndObject();
            }

            json.WriteNumber("discarded_share", Round(grade.DiscardedShare));
            WriteProvisional(json, context.ProvisionalReason);
            WriteMetric(json, "UN", Metric.Universality, grade.Universality, grade.UniversalityProbabilities);
            json.WriteStartArray("domains");
            foreach (var d in grade.Domains)
            {
                json.WriteStartObject();
                json.WriteString("domain", d.Domain);
                json.WriteBoolean("real", d.IsReal);
                json.WriteNumber("requests", d.Requests);
                json.WriteNumber("attempts", d.Attempts);
                json.WriteNumber("successes", d.Successes);
                json.WriteNumber("successful_requests", d.SuccessfulRequests);
                json.WriteNumber("rate", Round(d.Rate));
                json.WriteNumber("corrected_rate", Round(d.CorrectedRate));
                json.WriteStartArray("ci95");
                json.WriteNumberValue(Round(d.RateCi95.Low));
                json.WriteNumberValue(Round(d.RateCi95.High));
                json.WriteEndArray();
                WriteMetric(json, "RL", Metric.Reliability, d.Reliability, d.ReliabilityProbabilities);
                json.WriteString("BR", Code(Metric.Breadth, d.Breadth));
                json.WriteNumber("tasks", d.Tasks);
                if (d.Fidelity is { } fidelity)
                {
                    json.WriteString("FD", Code(Metric.Fidelity, fidelity));
                }
                else
                {
                    json.WriteNull("FD");
                }

                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteBoolean("nothing_to_grade", grade.NothingToGrade);
            json.WriteStartArray("grades");
            foreach (var g in grade.Grades)
            {
                WriteGrade(json, null, g.Domain, g.Vector, g.Score, g.Bands, context.ProvisionalReason);
            }

            json.WriteEndArray();
            if (grade.Highest is { } highest)
            {
                WriteGrade(json, "grade", highest.Domain, highest.Vector, highest.Score, grade.Bands!, context.ProvisionalReason);
            }
            else
            {
                json.WriteNull("grade");
            }

            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    private static void WriteMetric(Utf8JsonWriter json, string name, Metric metric, int value, IReadOnlyList<double> probabilities)
    {
        json.WriteStartObject(name);
        json.WriteString("value", Code(metric, value));
        json.WriteStartObject("probabilities");
        for (var i = 0; i < probabilities.Count; i++)
        {
            json.WriteNumber(Code(metric, i), Round(probabilities[i]));
        }

        json.WriteEndObject();
        json.WriteEndObject();
    }

    // A provisional grade says so beside every vector it gives: {"provisional": {"reason": "..."}}.
    private static void WriteProvisional(Utf8JsonWriter json, string? reason)
    {
        if (reason is null)
        {
            return;
        }

        json.WriteStartObject("provisional");
        json.WriteString("reason", reason);
        json.WriteEndObject();
    }

    private static void WriteAgreement(Utf8JsonWriter json, string judge, Judges.ConfusionCounts counts)
    {
        json.WriteStartObject("recorded_labels_vs_judge");
        json.WriteString("judge", judge);
        WriteAgreementFields(json, counts);
        json.WriteEndObject();
    }

    /// <summary>Writes a judge's agreement with labels as fields of the open object: counts, agreement, Se, Sp, kappa (null where undefined).</summary>
    public static void WriteAgreementFields(Utf8JsonWriter json, Judges.ConfusionCounts counts)
    {
        ArgumentNullException.ThrowIfNull(json);
        json.WriteNumber("compared", counts.Compared);
        json.WriteNumber("true_positives", counts.TruePositives);
        json.WriteNumber("false_negatives", counts.FalseNegatives);
        json.WriteNumber("true_negatives", counts.TrueNegatives);
        json.WriteNumber("false_positives", counts.FalsePositives);
        foreach (var (name, value) in new[] { ("agreement", counts.Agreement), ("sensitivity", counts.Sensitivity), ("specificity", counts.Specificity), ("kappa", counts.Kappa) })
        {
            if (value is { } v)
            {
                json.WriteNumber(name, Round(v));
            }
            else
            {
                json.WriteNull(name);
            }
        }
    }

    private static void WriteGrade(Utf8JsonWriter json, string? name, string domain, JgVector vector, JgScore score, BandDistribution bands, string? provisional)
    {
        if (name is null)
        {
            json.WriteStartObject();
        }
        else
        {
            json.WriteStartObject(name);
        }

        json.WriteString("domain", domain);
        json.WriteString("vector", vector.ToString());
        json.WriteScore("score", score.Base);
        json.WriteString("band", score.Band.ToString());
        json.WriteStartObject("band_probabilities");
        foreach (var band in Bands.All)
        {
            json.WriteNumber(band.ToString(), Round(bands[band]));
        }

        json.WriteEndObject();
        WriteProvisional(json, provisional);
        json.WriteEndObject();
    }

    private static string Code(Metric metric, int index) => JgMetrics.Get(metric).Values[index].Abbreviation;

    private static double Round(double value) => Math.Round(value, 4, MidpointRounding.AwayFromZero);
}

/// <summary>What a grade rests on, beside the evidence: the headline judge, its comparison with recorded labels, and why the grade is provisional.</summary>
public sealed record GradeContext
{
    /// <summary>Reason code of a provisional grade: refusal keywords without a calibration (standard 7.2).</summary>
    public const string UncalibratedJudge = "uncalibrated-judge";

    /// <summary>Reason code of a provisional grade: more than 5% of the bootstrap draws discarded for Se* + Sp* ≤ 1 (standard 7.8).</summary>
    public const string UncertainJudge = "uncertain-judge";

    /// <summary>The calibration the grade's rates were corrected with, when there was one.</summary>
    public CalibrationUse? Calibration { get; init; }

    /// <summary>Whether the campaign's judge overstates success (refusal keywords).</summary>
    public bool JudgeOverstates { get; init; }

    /// <summary>What gave the headline judgment: <c>source-labels</c>, or the judge's id.</summary>
    public string HeadlineJudge { get; init; } = "";

    /// <summary>The campaign judge compared with the recorded labels (its id).</summary>
    public string ComparedJudge { get; init; } = "";

    /// <summary>The campaign judge against the recorded labels, when the answers carry labels.</summary>
    public Judges.ConfusionCounts? LabelAgreement { get; init; }

    /// <summary>Why the grade is provisional (<see cref="UncalibratedJudge"/>), or null when it is not.</summary>
    public string? ProvisionalReason { get; init; }
}

/// <summary>A calibration as a grade used it: its digest, and the targets graded whose model it did not cover.</summary>
public sealed record CalibrationUse(string? Digest, IReadOnlyList<string> UncoveredTargets);
