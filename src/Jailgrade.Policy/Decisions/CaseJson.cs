using System.Text.Json;
using Jailgrade.Policy.Obligations;
using Jailgrade.Standard;
using Jailgrade.Standard.Probabilities;

namespace Jailgrade.Policy.Decisions;

/// <summary>A case read for a batch: its id (or line number) and the request.</summary>
public sealed record DecisionCase(string Id, DecisionRequest Request);

/// <summary>
/// Reads cases for batch decisions and what-if diffs: one JSON object per line (JSON Lines), e.g.
/// <c>{"id": "case-7", "vector": "JG:1.0/…", "incident": "death", "reported": "2026-06-12T09:00:00Z",
/// "countries": ["US", "CN"], "bandProbabilities": {"High": 0.7, "Critical": 0.3}}</c>.
/// Any other fact goes under <c>"facts": {"name": "value"}</c>. A line holding only a vector string
/// is a case with that vector alone.
/// </summary>
public static class CaseJson
{
    private static readonly string[] Keys = ["id", "vector", "incident", "facts", "discovered", "reported", "decided", "resolved", "countries", "bandProbabilities"];

    /// <summary>Parses every non-blank line; errors name the line. Never throws for bad input.</summary>
    public static (List<DecisionCase> Cases, List<string> Errors) ParseLines(string text, string sourceName)
    {
        ArgumentNullException.ThrowIfNull(text);
        var cases = new List<DecisionCase>();
        var errors = new List<string>();
        var lines = text.Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i].Trim();
            if (line.Length == 0 || line.StartsWith('#'))
            {
                continue;
            }

            if (TryParse(line, $"line {i + 1}", out var parsed, out var error))
            {
                cases.Add(parsed!);
            }
            else
            {
                errors.Add($"{sourceName}:{i + 1}: {error}");
            }
        }

        return (cases, errors);
    }

    /// <summary>Parses one case.</summary>
    public static bool TryParse(string line, string defaultId, out DecisionCase? result, out string error)
    {
        result = null;
        error = "";
        if (!line.TrimStart().StartsWith('{'))
        {
            var vectorText = line.Trim().Trim('"');
            if (!JgVector.TryParse(vectorText, out var bare, out var vectorError))
            {
                error = $"bad vector: {vectorError}";
                return false;
            }

            result = new DecisionCase(defaultId, new DecisionRequest(bare));
            return true;
        }

        try
        {
            using var document = JsonDocument.Parse(line);
            var root = document.RootElement;
            foreach (var property in root.EnumerateObject())
            {
                if (!Keys.Contains(property.Name))
                {
                    error = $"unknown key '{property.Name}' (expected one of: {string.Join(", ", Keys)})";
                    return false;
                }
            }

            if (!root.TryGetProperty("vector", out var vectorElement) || vectorElement.ValueKind != JsonValueKind.String)
            {
                error = "a case needs \"vector\"";
                return false;
            }

            if (!JgVector.TryParse(vectorElement.GetString(), out var vector, out var parseError))
            {
                error = $"bad vector: {parseError}";
                return false;
            }

            var facts = new Dictionary<string, string>(StringComparer.Ordinal);
            if (root.TryGetProperty("facts", out var factsElement))
            {
                foreach (var fact in factsElement.EnumerateObject())
                {
                    facts[fact.Name] = fact.Value.GetString() ?? "";
                }
            }

            if (root.TryGetProperty("incident", out var incident))
            {
                facts["incident"] = incident.GetString() ?? "";
            }

            var instants = new DateTimeOffset?[CaseClock.EventNames.Count];
            for (var e = 0; e < instants.Length; e++)
            {
                if (root.TryGetProperty(CaseClock.EventNames[e], out var instant) && instant.ValueKind != JsonValueKind.Null)
                {
                    if (!Timestamps.TryParse(instant.GetString(), out var parsed))
                    {
                        error = $"\"{CaseClock.EventNames[e]}\": '{instant}' is not a timestamp with an offset (e.g. 2026-06-12T09:00:00Z)";
                        return false;
                    }

                    instants[e] = parsed;
                }
            }

            List<string>? countries = null;
            if (root.TryGetProperty("countries", out var countriesElement))
            {
                countries = countriesElement.ValueKind == JsonValueKind.String
                    ? ParseCountryList(countriesElement.GetString()!)
                    : [.. countriesElement.EnumerateArray().Select(c => c.GetString() ?? "")];
            }

            BandDistribution? probabilities = null;
            if (root.TryGetProperty("bandProbabilities", out var probabilitiesElement)
                && !BandDistribution.TryParseJson(probabilitiesElement.GetRawText(), out probabilities, out error))
            {
                return false;
            }

            var id = root.TryGetProperty("id", out var idElement) ? idElement.ToString() : defaultId;
            result = new DecisionCase(id, new DecisionRequest(vector)
            {
                Facts = facts,
                Clock = new CaseClock(instants[0], instants[1], instants[2], instants[3]),
                Countries = countries,
                BandProbabilities = probabilities,
            });
            return true;
        }
        catch (Exception exception) when (exception is JsonException or InvalidOperationException)
        {
            error = $"not a JSON case: {exception.Message}";
            return false;
        }
    }

    /// <summary>Splits <c>US,GB, fr</c> into upper-case codes; validity is checked when deciding.</summary>
    public static List<string> ParseCountryList(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return [.. text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(c => c.ToUpperInvariant())];
    }
}
