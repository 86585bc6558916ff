using System.Text;
using System.Text.Json;
using Jailgrade.Policy.Obligations;
using Jailgrade.Standard;
using Jailgrade.Standard.Probabilities;

namespace Jailgrade.Policy.Decisions;

/// <summary>A case read for a batch: its id (or line number) and the request.</summary>
public sealed record DecisionCase(string Id, DecisionRequest Request)
{
    /// <summary>The 1-based line of the batch file the case was read from; 0 when not read from a file.</summary>
    public int Line { get; init; }
}

/// <summary>A problem with one line of a batch file.</summary>
public sealed record CaseError(string Source, int Line, int Column, string Message)
{
    /// <summary><c>file:line:column: message</c>.</summary>
    public override string ToString() => $"{Source}:{Line}:{Column}: {Message}";
}

/// <summary>
/// Reads cases for batch decisions and what-if diffs: one JSON object per line (JSON Lines), e.g.
/// <c>{"id": "case-7", "vector": "JG:1.0/…", "incident": "death", "reported": "2026-06-12T09:00:00Z",
/// "countries": ["US", "CN"], "bandProbabilities": {"High": 0.7, "Critical": 0.3}}</c>.
/// Any other fact goes under <c>"facts": {"name": "value"}</c>. A line holding only a vector string
/// is a case with that vector alone.
/// </summary>
public static class CaseJson
{
    /// <summary>Most errors <see cref="Report"/> prints; the rest are counted in a last line.</summary>
    public const int MaxReportedErrors = 100;

    private static readonly string[] Keys = ["id", "vector", "incident", "facts", "discovered", "reported", "decided", "resolved", "countries", "bandProbabilities"];

    /// <summary>
    /// Parses every non-blank line; every bad line gives an error at its line and column, in file
    /// order (print them with <see cref="Report"/>). Never throws for bad input.
    /// </summary>
    public static (List<DecisionCase> Cases, List<CaseError> Errors) ParseLines(string text, string sourceName)
    {
        ArgumentNullException.ThrowIfNull(text);
        var cases = new List<DecisionCase>();
        var errors = new List<CaseError>();
        var lines = text.Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            var raw = i == 0 ? lines[i].TrimStart('\uFEFF') : lines[i];
            var line = raw.Trim();
            if (line.Length == 0 || line.StartsWith('#'))
            {
                continue;
            }

            if (TryParse(line, $"line {i + 1}", out var parsed, out var error, out var column))
            {
                cases.Add(parsed! with { Line = i + 1 });
            }
            else
            {
                var indent = raw.Length - raw.TrimStart().Length;
                errors.Add(new CaseError(sourceName, i + 1, indent + column, error));
            }
        }

        return (cases, errors);
    }

    /// <summary>
    /// Errors as printed: in file order, at most <see cref="MaxReportedErrors"/>, then one line saying
    /// how many more there are.
    /// </summary>
    public static IEnumerable<string> Report(IEnumerable<CaseError> errors, string sourceName)
    {
        ArgumentNullException.ThrowIfNull(errors);
        var ordered = errors.OrderBy(e => e.Line).ThenBy(e => e.Column).ToList();
        foreach (var error in ordered.Take(MaxReportedErrors))
        {
            yield return error.ToString();
        }

        if (ordered.Count > MaxReportedErrors)
        {
            yield return $"{sourceName}: and {ordered.Count - MaxReportedErrors} more errors (only the first {MaxReportedErrors} are reported)";
        }
    }

    /// <summary>Parses one case.</summary>
    public static bool TryParse(string line, string defaultId, out DecisionCase? result, out string error) =>
        TryParse(line, defaultId, out result, out error, out _);

    /// <summary>Parses one case; on failure <paramref name="column"/> is the 1-based character of <paramref name="line"/> at fault.</summary>
    public static bool TryParse(string line, string defaultId, out DecisionCase? result, out string error, out int column)
    {
        ArgumentNullException.ThrowIfNull(line);
        result = null;
        column = 1 + line.Length - line.TrimStart().Length;
        if (!line.TrimStart().StartsWith('{'))
        {
            var vectorText = line.Trim().Trim('"');
            if (!JgVector.TryParse(vectorText, out var bare, out var vectorError))
            {
                error = $"bad vector: {vectorError}";
                return false;
            }

            result = new DecisionCase(defaultId, new DecisionRequest(bare));
            error = "";
            return true;
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(line);
        }
        catch (JsonException exception)
        {
            column = ColumnOfByte(line, exception.BytePositionInLine ?? 0);
            error = "not a JSON case: the JSON is malformed here (a missing quote, comma or brace?)";
            return false;
        }

        using (document)
        {
            string? property = null;
            var parsed = TryRead(document.RootElement, defaultId, out result, out error, ref property);
            if (!parsed && property is not null)
            {
                column = ColumnOfProperty(line, property);
            }

            return parsed;
        }
    }

    // Every value is checked for its JSON kind before it is read, so a wrong kind is an error that
    // names the key, never an exception; `property` names the key at fault.
    private static bool TryRead(JsonElement root, string defaultId, out DecisionCase? result, out string error, ref string? property)
    {
        result = null;
        if (root.ValueKind != JsonValueKind.Object)
        {
            error = "a case is a JSON object {...} or a vector";
            return false;
        }

        foreach (var item in root.EnumerateObject())
        {
            if (!Keys.Contains(item.Name))
            {
                property = item.Name;
                error = $"unknown key '{item.Name}' (expected one of: {string.Join(", ", Keys)})";
                return false;
            }
        }

        if (!root.TryGetProperty("vector", out var vectorElement) || vectorElement.ValueKind != JsonValueKind.String)
        {
            property = vectorElement.ValueKind == JsonValueKind.Undefined ? null : "vector";
            error = "a case needs \"vector\", a JG vector string";
            return false;
        }

        if (!JgVector.TryParse(vectorElement.GetString(), out var vector, out var parseError))
        {
            property = "vector";
            error = $"bad vector: {parseError}";
            return false;
        }

        var facts = new Dictionary<string, string>(StringComparer.Ordinal);
        if (root.TryGetProperty("facts", out var factsElement))
        {
            property = "facts";
            if (factsElement.ValueKind != JsonValueKind.Object)
            {
                error = "\"facts\" must be an object of names to string values";
                return false;
            }

            foreach (var fact in factsElement.EnumerateObject())
            {
                if (fact.Value.ValueKind != JsonValueKind.String)
                {
                    error = $"fact '{fact.Name}' must be a string, not {KindOf(fact.Value)}";
                    return false;
                }

                facts[fact.Name] = fact.Value.GetString()!;
            }
        }

        if (root.TryGetProperty("incident", out var incident))
        {
            property = "incident";
            if (incident.ValueKind != JsonValueKind.String)
            {
                error = $"\"incident\" must be a string, not {KindOf(incident)}";
                return false;
            }

            facts["incident"] = incident.GetString()!;
        }

        var instants = new DateTimeOffset?[CaseClock.EventNames.Count];
        for (var e = 0; e < instants.Length; e++)
        {
            if (root.TryGetProperty(CaseClock.EventNames[e], out var instant) && instant.ValueKind != JsonValueKind.Null)
            {
                property = CaseClock.EventNames[e];
                var text = instant.ValueKind == JsonValueKind.String ? instant.GetString() : instant.GetRawText();
                if (!Timestamps.TryParse(text, out var parsed, out var timestampError))
                {
                    error = $"\"{CaseClock.EventNames[e]}\": {timestampError}";
                    return false;
                }

                instants[e] = parsed;
            }
        }

        List<string>? countries = null;
        if (root.TryGetProperty("countries", out var countriesElement))
        {
            property = "countries";
            if (countriesElement.ValueKind == JsonValueKind.String)
            {
                countries = ParseCountryList(countriesElement.GetString()!);
            }
            else if (countriesElement.ValueKind == JsonValueKind.Array && countriesElement.EnumerateArray().All(c => c.ValueKind == JsonValueKind.String))
            {
                countries = [.. countriesElement.EnumerateArray().Select(c => c.GetString()!)];
            }
            else
            {
                error = "\"countries\" must be a list of country codes or one comma-separated string";
                return false;
            }

            foreach (var country in countries)
            {
                if (!Eligibility.Countries.TryCheck(country, out error))
                {
                    error = $"\"countries\": {error}";
                    return false;
                }
            }
        }

        BandDistribution? probabilities = null;
        if (root.TryGetProperty("bandProbabilities", out var probabilitiesElement)
            && !BandDistribution.TryParseJson(probabilitiesElement.GetRawText(), out probabilities, out error))
        {
            property = "bandProbabilities";
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
        error = "";
        return true;
    }

    private static string KindOf(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "a list",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "true or false",
        _ => "null",
    };

    // The 1-based character where a top-level key's value starts (the line is one JSON value).
    private static int ColumnOfProperty(string line, string name)
    {
        var bytes = Encoding.UTF8.GetBytes(line);
        var reader = new Utf8JsonReader(bytes);
        while (reader.Read())
        {
            if (reader.TokenType == JsonTokenType.PropertyName && reader.CurrentDepth == 1 && reader.ValueTextEquals(name) && reader.Read())
            {
                return 1 + Encoding.UTF8.GetCharCount(bytes, 0, (int)reader.TokenStartIndex);
            }
        }

        return 1;
    }

    private static int ColumnOfByte(string line, long byteIndex)
    {
        var bytes = Encoding.UTF8.GetBytes(line);
        return 1 + Encoding.UTF8.GetCharCount(bytes, 0, (int)Math.Clamp(byteIndex, 0, bytes.Length));
    }

    /// <summary>
    /// Splits <c>US,GB, FR</c> into codes as written (no case folding: <c>us</c> is an error with a
    /// suggestion, see <see cref="Eligibility.Countries.TryCheck"/>).
    /// </summary>
    public static List<string> ParseCountryList(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return [.. text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)];
    }
}
