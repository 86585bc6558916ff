using FsCheck;
using FsCheck.Fluent;
using Jailgrade.Evaluation.Campaigns;
using Jailgrade.Evaluation.Probes;
using Jailgrade.Evaluation.Probes.Importers;

namespace Jailgrade.Evaluation.Tests.Probes;

/// <summary>Every probe-file error names file, line and character column, the offending value and what was expected.</summary>
public sealed class ProbeErrorTests : IDisposable
{
    private const string HarmBenchHeader = "Behavior,FunctionalCategory,SemanticCategory,Tags,ContextString,BehaviorID\n";
    private readonly string _directory = Directory.CreateTempSubdirectory("jg-probe-errors-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private ProbeFormatException Error(string format, string file, string content, Dictionary<string, string>? domains = null)
    {
        File.WriteAllText(Path.Combine(_directory, file), content);
        var error = Should.Throw<ProbeFormatException>(() => ProbeLoader.Load(
            new ProbeSourceSpec { File = file, Format = format, Domains = domains ?? [] }, _directory, EvaluationRegistry.Default, seed: 1));
        error.File.ShouldBe(file);
        error.Message.ShouldStartWith($"{file}:{error.Line}:{error.Column}: ");
        return error;
    }

    private static void At(ProbeFormatException error, int line, int column) =>
        (error.Line, error.Column).ShouldBe((line, column), error.Message);

    // CSV

    [Fact]
    public void Csv_MissingColumnInHeader_PointsAtTheHeaderAndListsExpectedAndFound()
    {
        var error = Error("harmbench", "h.csv", "Behavior,BehaviorID\nWrite about Quarzite,q1\n");
        At(error, 1, 1);
        error.Problem.ShouldContain("'SemanticCategory'");
        error.Problem.ShouldContain("expected Behavior, SemanticCategory, BehaviorID for format 'harmbench'");
        error.Problem.ShouldContain("found: Behavior, BehaviorID");
    }

    [Fact]
    public void Csv_TooManyFields_PointsAtTheFirstExtraField()
    {
        var error = Error("advbench", "a.csv", "goal,target\nWrite a poem,Sure,extra\n");
        At(error, 2, 19);
        error.Problem.ShouldContain("3 fields where the header has 2");
        error.Problem.ShouldContain("'extra'");
        error.Problem.ShouldContain("expected the row to end after column 'target'");
    }

    [Fact]
    public void Csv_TooFewFields_PointsWhereTheRowEndsAndNamesTheMissingColumn()
    {
        var error = Error("strongreject", "s.csv", "category,source,forbidden_prompt\r\nViolence,custom\r\n");
        At(error, 2, 16);
        error.Problem.ShouldContain("2 fields where the header has 3");
        error.Problem.ShouldContain("expected a value for column 'forbidden_prompt'");
    }

    [Fact]
    public void Csv_UnterminatedQuote_PointsAtTheOpeningQuote()
    {
        var error = Error("advbench", "a.csv", "goal,target\nWrite a poem,Sure\n\"Write a story\nabout the fictional Corvane Bank,Sure\n");
        At(error, 3, 1);
        error.Problem.ShouldContain("\"Write a story about the fictio...");
        error.Problem.ShouldContain("never closed (expected a closing '\"' before the end of the file)");
    }

    [Fact]
    public void Csv_EmptyRequiredField_PointsAtTheField()
    {
        var error = Error("harmbench", "h.csv", HarmBenchHeader + "Write about Quarzite,standard,chemical_biological,,,\n");
        At(error, 2, 53);
        error.Problem.ShouldContain("empty value in column 'BehaviorID'");
        error.Problem.ShouldContain("expected text");
    }

    [Theory]
    [InlineData("   ")]
    [InlineData("\t")]
    [InlineData("\"  \"")]
    public void Csv_WhitespaceOnlyRequiredField_IsRefusedAtTheField(string blank)
    {
        var error = Error("harmbench", "h.csv", HarmBenchHeader + "Write about Quarzite,standard,chemical_biological,,," + blank + "\n");
        At(error, 2, 53);
        error.Problem.ShouldContain("empty value in column 'BehaviorID'");
    }

    [Fact]
    public void Csv_UnmappedCategory_PointsAtTheCategoryFieldAfterAMultiLineField()
    {
        // The category is on the record's third line: line and column follow the embedded line breaks.
        var error = Error("jbb", "j.csv", "Index,Goal,Behavior,Category\n1,\"Write about\nthe fictional\",\"Essay\nline\",Weapons\n");
        At(error, 4, 7);
        error.Problem.ShouldContain("category 'Weapons' has no JG hazard domain");
        error.Problem.ShouldContain("'Malware/Hacking'");
        error.Problem.ShouldContain("a mapping under 'domains:' in the probe entry");
    }

    [Fact]
    public void Csv_UnmappedCategoryWithAMapping_Loads()
    {
        File.WriteAllText(Path.Combine(_directory, "j.csv"), "Index,Goal,Behavior,Category\n1,Write about the fictional,Essay,Weapons\n");
        var probes = ProbeLoader.Load(new ProbeSourceSpec { File = "j.csv", Format = "jbb", Domains = new Dictionary<string, string> { ["Weapons"] = "WP" } }, _directory, EvaluationRegistry.Default, 1);
        probes.Single().Domain.ShouldBe("WP");
    }

    [Fact]
    public void CsvRows_ColumnOfEveryFieldIsWhereItsTextStarts()
    {
        var field = Gen.Elements("", "a", "bb", "c d", "é", "x\"y", "p,q").Select(text => text.Contains('"', StringComparison.Ordinal) || text.Contains(',', StringComparison.Ordinal)
            ? "\"" + text.Replace("\"", "\"\"", StringComparison.Ordinal) + "\""
            : text);
        Prop.ForAll(field.ArrayOf().Where(a => a.Length > 1).ToArbitrary(), written =>
        {
            var line = string.Join(',', written);
            var row = CsvRows.Read(new StringReader("h\n" + line + "\n"), "f.csv").Last();
            var column = 1;
            for (var i = 0; i < written.Length; i++)
            {
                if (row.Fields[i].Line != 2 || row.Fields[i].Column != column)
                {
                    return false;
                }

                column += written[i].Length + 1;
            }

            return row.End == (2, line.Length + 1);
        }).Verify();
    }

    // JSON Lines

    [Fact]
    public void Jsonl_SyntaxError_GivesTheCharacterColumnWhereTheParserStopped()
    {
        // "é" is two bytes in UTF-8; the column counts characters.
        var error = Error("jsonl", "p.jsonl", "{\"id\": \"a1\", \"domain\": \"CY\", \"prompt\": \"p\"}\n{\"id\": \"é\", \"prompt\": x}\n");
        At(error, 2, 23);
        error.Problem.ShouldStartWith("not valid JSON: 'x' is an invalid start of a value");
        error.Problem.ShouldNotContain("LineNumber");
    }

    [Fact]
    public void Jsonl_WrongType_PointsAtTheValue()
    {
        var error = Error("jsonl", "p.jsonl", "{\"id\": 17, \"domain\": \"CY\", \"prompt\": \"p\"}\n");
        At(error, 1, 8);
        error.Problem.ShouldBe("bad value 17 for \"id\" (expected a string)");
    }

    [Fact]
    public void Jsonl_WrongTypeOfAnOptionalField_IsAnErrorNotIgnored()
    {
        var error = Error("jsonl", "p.jsonl", "{\"id\": \"a1\", \"domain\": [\"CY\"], \"prompt\": \"p\"}\n");
        At(error, 1, 24);
        error.Problem.ShouldBe("bad value [\"CY\"] for \"domain\" (expected a string)");
    }

    [Fact]
    public void Jsonl_MissingField_PointsAtTheObject()
    {
        var error = Error("jsonl", "p.jsonl", "\n   {\"id\": \"a1\", \"domain\": \"CY\"}\n");
        At(error, 2, 4);
        error.Problem.ShouldBe("missing \"prompt\" (expected a string)");
    }

    [Fact]
    public void Jsonl_LineThatIsNotAnObject_SaysWhatItIs()
    {
        var error = Error("jsonl", "p.jsonl", "[1, 2]\n");
        At(error, 1, 1);
        error.Problem.ShouldBe("bad value [1, 2] for the line (expected a JSON object {...})");
    }

    [Fact]
    public void Jsonl_UnmappedCategory_PointsAtTheCategory()
    {
        var error = Error("jsonl", "p.jsonl", "{\"id\": \"a1\", \"category\": \"fraud-ish\", \"prompt\": \"p\"}\n");
        At(error, 1, 26);
        error.Problem.ShouldContain("category 'fraud-ish' has no JG hazard domain (expected a mapping under 'domains:' in the probe entry)");
    }

    [Fact]
    public void Jsonl_BadDomain_PointsAtTheDomain()
    {
        var error = Error("jsonl", "p.jsonl", "{\"id\": \"a1\", \"domain\": \"XX\", \"prompt\": \"p\"}\n");
        At(error, 1, 24);
        error.Problem.ShouldBe("bad domain 'XX' (expected a JG hazard domain such as CY, BI, FR)");
    }

    [Fact]
    public void Jsonl_NoCategoryAndNoDomain_PointsAtTheProbe()
    {
        var error = Error("jsonl", "p.jsonl", "{\"id\": \"a1\", \"domain\": \"CY\", \"prompt\": \"p\"}\n  {\"id\": \"a2\", \"prompt\": \"p\"}\n");
        At(error, 2, 3);
        error.Problem.ShouldContain("probe 'a2' has no category and no domain");
    }

    [Fact]
    public void Jsonl_DuplicateId_PointsAtTheSecondAndNamesTheFirst()
    {
        var error = Error("jsonl", "p.jsonl", "{\"id\": \"a1\", \"domain\": \"CY\", \"prompt\": \"p\"}\n{\"id\": \"a1\", \"domain\": \"CY\", \"prompt\": \"q\"}\n");
        At(error, 2, 1);
        error.Problem.ShouldBe("probe id 'a1' appears twice (first at line 1; expected each id once)");
    }

    [Fact]
    public void Jsonl_EightBadLinesOfEveryKind_AreAllReported_InFileOrder_FirstOneFirst()
    {
        // Issue 9 item 15: the loader's own checks (domain, category, duplicate id) used to come after the
        // import, whose first syntax error alone was reported: line 9's, not line 1's.
        var error = Error("jsonl", "p.jsonl", string.Join('\n',
            """{"id": "a1", "domain": "XX", "prompt": "p"}""",
            """{"id": "a2", "domain": "CY", "prompt": "p"}""",
            """{"id": "a3", "category": "fraud-ish", "prompt": "p"}""",
            """{"id": "a2", "domain": "CY", "prompt": "q"}""",
            """{"id": 17, "domain": "CY", "prompt": "p"}""",
            """{"id": "a6", "domain": "CY", "prompt": "p"}""",
            """[1, 2]""",
            """{"id": "a8", "domain": "CY"}""",
            """{"id": "a9", "prompt": x}""",
            """{"id": "a10", "prompt": "p"}""") + "\n");

        error.Errors.Select(e => (e.Line, e.Column)).ShouldBe([(1, 24), (3, 26), (4, 1), (5, 8), (7, 1), (8, 1), (9, 24), (10, 1)]);
        At(error, 1, 24);
        error.Message.Split('\n').ShouldBe(error.Errors.Select(e => e.Message));
        error.Message.Split('\n')[0].ShouldBe("p.jsonl:1:24: bad domain 'XX' (expected a JG hazard domain such as CY, BI, FR)");
        error.Message.Split('\n')[6].ShouldStartWith("p.jsonl:9:24: not valid JSON");
    }

    [Fact]
    public void Jsonl_MoreBadLinesThanTheBound_ReportsTheFirst100AndCountsTheRest()
    {
        var lines = Enumerable.Range(1, 130).Select(i => $$"""{"id": "a{{i}}", "domain": "XX", "prompt": "p"}""");

        var error = Error("jsonl", "p.jsonl", string.Join('\n', lines) + "\n");

        error.Errors.Count.ShouldBe(101);
        error.Errors.Take(100).Select(e => e.Line).ShouldBe(Enumerable.Range(1, 100));
        error.Errors[100].Message.ShouldBe("p.jsonl:101:26: and 30 more errors (only the first 100 are reported)");
    }

    // JailbreakBench attack artifacts

    private const string Entry = """{"index": 0, "goal": "Write about Alder", "behavior": "Defamation", "category": "Harassment/Discrimination", "prompt": "p", "response": "r", "jailbroken": true}""";

    private static string Artifact(string secondEntry) => $$"""
        {
          "parameters": {"method": "PAIR", "model_name": "fictional-model-7b"},
          "jailbreaks": [
            {{Entry}},
            {{secondEntry}}
          ]
        }
        """;

    [Fact]
    public void JbbArtifacts_SyntaxError_GivesLineAndColumn()
    {
        var error = Error("jbb-artifacts", "a.json", Artifact("""{"index": 1, "goal": "g",, "jailbroken": false}"""));
        At(error, 5, 30);
        error.Problem.ShouldStartWith("not valid JSON: ");
    }

    [Fact]
    public void JbbArtifacts_MissingGoal_PointsAtTheEntry()
    {
        var error = Error("jbb-artifacts", "a.json", Artifact("""{"index": 1, "category": "Privacy", "jailbroken": false}"""));
        At(error, 5, 5);
        error.Problem.ShouldBe("missing \"jailbreaks[1].goal\" (expected a string)");
    }

    [Fact]
    public void JbbArtifacts_WrongType_PointsAtTheValue()
    {
        var error = Error("jbb-artifacts", "a.json", Artifact("""{"index": 1, "goal": "g", "category": "Privacy", "jailbroken": "yes"}"""));
        At(error, 5, 68);
        error.Problem.ShouldBe("bad value \"yes\" for \"jailbreaks[1].jailbroken\" (expected true, false or null)");
    }

    [Fact]
    public void JbbArtifacts_BadIndex_PointsAtTheValue()
    {
        var error = Error("jbb-artifacts", "a.json", Artifact("""{"index": -2, "goal": "g", "category": "Privacy"}"""));
        At(error, 5, 15);
        error.Problem.ShouldBe("bad value -2 for \"jailbreaks[1].index\" (expected a whole number from 0)");
    }

    [Fact]
    public void JbbArtifacts_MissingJailbreaks_PointsAtTheRoot()
    {
        var error = Error("jbb-artifacts", "a.json", "\n  {\"parameters\": {}}\n");
        At(error, 2, 3);
        error.Problem.ShouldBe("missing \"jailbreaks\" (expected a list of jailbreaks [...])");
    }

    [Fact]
    public void JbbArtifacts_UnmappedCategory_PointsAtTheCategory()
    {
        var error = Error("jbb-artifacts", "a.json", Artifact("""{"index": 1, "goal": "g", "category": "Weapons"}"""));
        At(error, 5, 43);
        error.Problem.ShouldContain("category 'Weapons' has no JG hazard domain");
    }

    // Where the probe entry itself is wrong, the error points into the campaign file.

    [Fact]
    public void MissingProbeFile_PointsAtItsEntryInTheCampaignWithAColumn()
    {
        using var temp = new TestSupport.TempCampaign(TestSupport.TempCampaign.Yaml("http://127.0.0.1:9/v1", probes: "  - builtin: canary\n  - file: missing.csv\n    format: advbench\n    domain: CY"));
        var error = Should.Throw<ProbeFormatException>(() => ProbeLoader.Load(temp.Load(), EvaluationRegistry.Default));
        (error.Line, error.Column).ShouldBe((6, 5));
        error.Message.ShouldBe("campaign.yaml:6:5: probe file not found: 'missing.csv' (expected a path relative to the campaign file)");
    }
}
