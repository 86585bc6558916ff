using FsCheck;
using FsCheck.Fluent;
using Jailgrade.Standard.Tests.TestSupport;
using Jailgrade.Standard.Tables;

namespace Jailgrade.Standard.Tests;

public class VectorParserTests
{
    [Theory]
    [InlineData("JG:1.0/UN:U/RL:H/AC:L/AR:N/HD:CY/UP:3/BR:W/FD:H/EX:P/DP:G")]
    [InlineData("JG:1.0/UN:N/RL:L/AC:H/AR:P/HD:PO/UP:0/BR:N/FD:L/EX:N/DP:I/MS:V")]
    [InlineData("JG:1.0/UN:C/RL:M/AC:M/AR:V/HD:AU/UP:4/BR:S/FD:M/EX:A/DP:O/MS:N")]
    public void Parse_ValidVector_RoundTripsExactly(string text)
    {
        JgVector.TryParse(text, out var vector, out _).ShouldBeTrue();
        vector.ToString().ShouldBe(text);
    }

    [Fact]
    public void Parse_MitigationStatusX_IsDroppedWhenNormalized()
    {
        var vector = JgVector.Parse(Vectors.Critical + "/MS:X");
        vector.HasMitigationStatus.ShouldBeFalse();
        vector.ToString().ShouldBe(Vectors.Critical);
        vector.ShouldBe(JgVector.Parse(Vectors.Critical));
    }

    [Fact]
    public void Parse_EveryBaseVector_RoundTrips()
    {
        Span<char> buffer = stackalloc char[JgVector.MaxLength];
        var count = 0;
        foreach (var vector in ScoreTable.BaseVectors())
        {
            vector.TryFormat(buffer, out var written).ShouldBeTrue();
            JgVector.TryParse(buffer[..written], out var parsed, out _).ShouldBeTrue();
            if (parsed != vector)
            {
                Assert.Fail($"{buffer[..written].ToString()} parsed to {parsed}");
            }

            count++;
        }

        count.ShouldBe(612_360);
    }

    [Theory]
    [InlineData("", VectorErrorKind.Empty, 1, null)]
    [InlineData("CVSS:4.0/AV:N", VectorErrorKind.UnknownPrefix, 1, null)]
    [InlineData("jg:1.0/UN:U", VectorErrorKind.UnknownPrefix, 1, null)]
    [InlineData("JG:2.0/UN:U", VectorErrorKind.UnknownVersion, 4, null)]
    [InlineData("JG:1.0", VectorErrorKind.MissingMetric, 7, "UN")]
    [InlineData("JG:1.0/XX:U", VectorErrorKind.UnknownMetric, 8, "XX")]
    [InlineData("JG:1.0/un:U", VectorErrorKind.UnknownMetric, 8, "un")]
    [InlineData("JG:1.0/UN:Q", VectorErrorKind.BadValue, 11, "UN")]
    [InlineData("JG:1.0/UN:u", VectorErrorKind.BadValue, 11, "UN")]
    [InlineData("JG:1.0/UN:", VectorErrorKind.BadValue, 11, "UN")]
    [InlineData("JG:1.0/UN", VectorErrorKind.BadValue, 10, "UN")]
    [InlineData("JG:1.0/UN:U/UN:U", VectorErrorKind.Duplicate, 13, "UN")]
    [InlineData("JG:1.0/RL:H/UN:U", VectorErrorKind.WrongOrder, 8, "RL")]
    [InlineData("JG:1.0/UN:U/AC:L/AR:N", VectorErrorKind.MissingMetric, 13, "RL")]
    [InlineData("JG:1.0/UN:U/RL:H/AC:L/AR:N/HD:CY/UP:3/BR:W/FD:H/EX:P", VectorErrorKind.MissingMetric, 53, "DP")]
    [InlineData("JG:1.0/UN:U/RL:H/AC:L/AR:N/HD:CY/UP:3/BR:W/FD:H/EX:P/DP:G/", VectorErrorKind.TrailingJunk, 58, null)]
    [InlineData("JG:1.0/UN:U/RL:H/AC:L/AR:N/HD:CY/UP:3/BR:W/FD:H/EX:P/DP:Gx", VectorErrorKind.TrailingJunk, 58, null)]
    [InlineData("JG:1.0/UN:U/RL:H/AC:L/AR:N/HD:CY/UP:3/BR:W/FD:H/EX:P/DP:G junk", VectorErrorKind.TrailingJunk, 58, null)]
    [InlineData("JG:1.0/UN:U/RL:H/AC:L/AR:N/HD:CY/UP:3/BR:W/FD:H/EX:P/DP:G/MS:P/UN:U", VectorErrorKind.Duplicate, 64, "UN")]
    [InlineData("JG:1.0/UN:U/RL:H/AC:L/AR:N/HD:CY/UP:3/BR:W/FD:H/EX:P/DP:G/MS:P/junk", VectorErrorKind.TrailingJunk, 64, null)]
    [InlineData("JG:1.0/UN:U/RL:H/AC:L/AR:N/HD:CY/UP:3/BR:W/FD:H/EX:P/DP:G/ZZ:1", VectorErrorKind.UnknownMetric, 59, "ZZ")]
    [InlineData("JG:1.0/UN:U/RL:H/AC:L/AR:N/HD:XX/UP:3/BR:W/FD:H/EX:P/DP:G", VectorErrorKind.BadValue, 31, "HD")]
    [InlineData("JG:1.0/UN:U/RL:H/AC:L/AR:N/HD:CY/UP:5/BR:W/FD:H/EX:P/DP:G", VectorErrorKind.BadValue, 37, "UP")]
    [InlineData("JG:1.0/UN:U/RL:H/AC:L/AR:N/HD:CY/UP:3/BR:W/FD:H/EX:P/DP:G/MS:Q", VectorErrorKind.BadValue, 62, "MS")]
    [InlineData("JG:1.0/UN:U//RL:H", VectorErrorKind.TrailingJunk, 13, null)]
    [InlineData("JG:1.0/UN:CU", VectorErrorKind.BadValue, 11, "UN")]
    [InlineData("JG:1.0/UN:CU/RL:H", VectorErrorKind.BadValue, 11, "UN")]
    public void Parse_MalformedInput_ReportsKindPositionAndMetric(string text, VectorErrorKind kind, int position, string? metric)
    {
        JgVector.TryParse(text, out _, out var error).ShouldBeFalse();
        error.Kind.ShouldBe(kind, error.Message);
        error.Position.ShouldBe(position, error.Message);
        error.Metric.ShouldBe(metric);
        error.Message.ShouldNotBeNullOrWhiteSpace();
    }

    [Fact]
    public void Parse_BadValue_MessageNamesTheValueAndWhatIsExpected()
    {
        JgVector.TryParse("JG:1.0/UN:Q", out _, out var error).ShouldBeFalse();
        error.Message.ShouldBe("bad value 'Q' for UN: expected one of N, C, U");
    }

    [Fact]
    public void Parse_Duplicate_MessagePointsAtTheFirstOccurrence()
    {
        JgVector.TryParse("JG:1.0/UN:U/UN:U", out _, out var error).ShouldBeFalse();
        error.Message.ShouldContain("first at column 8");
    }

    [Fact]
    public void Parse_ControlCharacters_AreNotEchoedIntoMessages()
    {
        JgVector.TryParse("junk\twith\u001b[31m", out _, out var error).ShouldBeFalse();
        error.Message.ShouldNotContain("\t");
        error.Message.ShouldNotContain("\u001b");
    }

    [Fact]
    public void Parse_AnyString_NeverThrowsAndErrorsPointInsideTheInput()
    {
        Prop.ForAll(ArbMap.Default.ArbFor<string>(), text =>
        {
            text ??= "";
            var ok = JgVector.TryParse(text, out var vector, out var error);
            return ok
                ? vector.ToString().Length > 0
                : error.Position >= 1 && error.Position <= text.Length + 1 && error.Message.Length > 0;
        }).Verify();
    }

    [Fact]
    public void Parse_MutatedValidVectors_NeverThrowAndAcceptOnlyWhatRoundTrips()
    {
        // Random edits of valid vectors reach the parser's deep branches far more often than random strings.
        var alphabet = "JG:1.0/UNRLACARHDUPBRFDEXDPMSCYWHLMNOPSVX01234 \t/:".ToCharArray();
        var mutation = from seed in Gen.Choose(0, 612_359)
                       from position in Gen.Choose(0, 70)
                       from kind in Gen.Choose(0, 3)
                       from ch in Gen.Elements(alphabet)
                       from withStatus in Gen.Elements(false, true)
                       select (seed, position, kind, ch, withStatus);
        Prop.ForAll(mutation.ToArbitrary(), m =>
        {
            var text = ScoreTable.BaseVectors().Skip(m.seed % 5000 * 97).First().ToString() + (m.withStatus ? "/MS:P" : "");
            var at = Math.Min(m.position, text.Length);
            var mutated = m.kind switch
            {
                0 => text.Remove(Math.Min(at, text.Length - 1), 1),
                1 => text.Insert(at, m.ch.ToString()),
                2 => at < text.Length ? text[..at] + m.ch + text[(at + 1)..] : text + m.ch,
                _ => text[..at],
            };
            var ok = JgVector.TryParse(mutated, out var vector, out var error);
            return ok
                ? vector.ToString() == mutated || mutated.EndsWith("/MS:X", StringComparison.Ordinal)
                : error.Position >= 1 && error.Position <= mutated.Length + 1;
        }).Verify();
    }

    [Fact]
    public void Grammar_AcceptsExactlyWhatTheParserAccepts()
    {
        var grammar = new System.Text.RegularExpressions.Regex(JgDefinition.Grammar);
        foreach (var text in new[]
                 {
                     Vectors.Critical, Vectors.Critical + "/MS:V", Vectors.Critical + "/MS:X", Vectors.Critical + "/", "JG:1.0",
                     "JG:1.0/RL:H/UN:U/AC:L/AR:N/HD:CY/UP:3/BR:W/FD:H/EX:P/DP:G", Vectors.Critical.Replace("HD:CY", "HD:cy", StringComparison.Ordinal),
                 })
        {
            grammar.IsMatch(text).ShouldBe(JgVector.TryParse(text, out _, out _), text);
        }
    }
}
