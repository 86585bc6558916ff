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
    public static string Write(EvidenceGrade grade, bool judgeOverstates)
    {
        ArgumentNullException.ThrowIfNull(grade);
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("standard", JgMetrics.Standard);
            json.WriteString("target", grade.Target);
            json.WriteString("attack", grade.Attack);
            json.WriteBoolean("judge_overstates_success", judgeOverstates);
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
                WriteGrade(json, null, g.Domain, g.Vector, g.Score, g.Bands);
            }

            json.WriteEndArray();
            if (grade.Highest is { } highest)
            {
                WriteGrade(json, "grade", highest.Domain, highest.Vector, highest.Score, grade.Bands!);
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

    private static void WriteGrade(Utf8JsonWriter json, string? name, string domain, JgVector vector, JgScore score, BandDistribution bands)
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
        json.WriteEndObject();
    }

    private static string Code(Metric metric, int index) => JgMetrics.Get(metric).Values[index].Abbreviation;

    private static double Round(double value) => Math.Round(value, 4, MidpointRounding.AwayFromZero);
}
