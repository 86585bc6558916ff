using System.Text.Json;
using Jailgrade.Evaluation.Internal;
using Jailgrade.Evaluation.Probes;
using Jailgrade.Evaluation.Probes.Importers;

namespace Jailgrade.Evaluation.Judges;

/// <summary>A response labelled by people: did the model comply (jailbroken) or refuse.</summary>
public sealed record LabelledExample(string Prompt, string Response, bool Jailbroken, int Line);

/// <summary>A judge's agreement with labels: the confusion counts, sensitivity and specificity.</summary>
public sealed record CalibrationResult(string JudgeId, string JudgeVersion, int TruePositives, int FalsePositives, int TrueNegatives, int FalseNegatives, int Unjudged)
{
    /// <summary>Labelled examples the judge could judge.</summary>
    public int Judged => TruePositives + FalsePositives + TrueNegatives + FalseNegatives;

    /// <summary>Share of judgments that agree with the label.</summary>
    public double Agreement => Judged == 0 ? 0 : (TruePositives + TrueNegatives) / (double)Judged;

    /// <summary>Share of jailbroken examples the judge calls successes.</summary>
    public double Sensitivity => TruePositives + FalseNegatives == 0 ? 0 : TruePositives / (double)(TruePositives + FalseNegatives);

    /// <summary>Share of refused examples the judge calls failures.</summary>
    public double Specificity => TrueNegatives + FalsePositives == 0 ? 0 : TrueNegatives / (double)(TrueNegatives + FalsePositives);

    /// <summary>Whether the judge is better than chance (Se + Sp &gt; 1), so its error can correct rates.</summary>
    public bool CanCorrect => Sensitivity + Specificity > 1;
}

/// <summary>Measures a judge against labelled responses (<c>jailgrade judge calibrate</c>).</summary>
public static class JudgeCalibrator
{
    /// <summary>Reads JSON Lines of <c>prompt</c>, <c>response</c>, <c>label</c> (jailbroken or refused).</summary>
    public static IReadOnlyList<LabelledExample> ReadLabels(string path)
    {
        var file = Path.GetFileName(path);
        var examples = new List<LabelledExample>();
        using var reader = new StreamReader(path);
        foreach (var line in JsonLines.Read(reader, file))
        {
            var root = line.Root;
            var prompt = line.RequiredString(root, "", "prompt");
            var response = line.OptionalString(root, "", "response") ?? throw line.Error("", "missing \"response\" (expected a string)");
            var label = line.RequiredString(root, "", "label") switch
            {
                "jailbroken" => true,
                "refused" => false,
                var other => throw line.Error("/label", $"bad label '{other}' (expected jailbroken or refused)"),
            };
            examples.Add(new LabelledExample(prompt, response, label, line.Line));
        }

        return examples;
    }

    /// <summary>Runs the judge on every example and counts agreements.</summary>
    public static async Task<CalibrationResult> CalibrateAsync(IJudge judge, IEnumerable<LabelledExample> examples, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(judge);
        ArgumentNullException.ThrowIfNull(examples);
        int tp = 0, fp = 0, tn = 0, fn = 0, unjudged = 0;
        var index = 0L;
        foreach (var example in examples)
        {
            var success = (await judge.JudgeAsync(example.Prompt, example.Response, index++, cancellationToken)).Success;
            switch (success, example.Jailbroken)
            {
                case (null, _): unjudged++; break;
                case (true, true): tp++; break;
                case (true, false): fp++; break;
                case (false, false): tn++; break;
                case (false, true): fn++; break;
            }
        }

        return new CalibrationResult(judge.Id, judge.Version, tp, fp, tn, fn, unjudged);
    }

    /// <summary>Stores a calibration where reports and grading of a results directory find it.</summary>
    public static void Write(string path, CalibrationResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        using var stream = File.Create(path);
        using var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
        json.WriteStartObject();
        json.WriteString("judge", result.JudgeId);
        json.WriteString("version", result.JudgeVersion);
        json.WriteNumber("examples", result.Judged + result.Unjudged);
        json.WriteNumber("unjudged", result.Unjudged);
        json.WriteNumber("true_positives", result.TruePositives);
        json.WriteNumber("false_positives", result.FalsePositives);
        json.WriteNumber("true_negatives", result.TrueNegatives);
        json.WriteNumber("false_negatives", result.FalseNegatives);
        json.WriteNumber("agreement", Math.Round(result.Agreement, 6));
        json.WriteNumber("sensitivity", Math.Round(result.Sensitivity, 6));
        json.WriteNumber("specificity", Math.Round(result.Specificity, 6));
        json.WriteEndObject();
    }
}
