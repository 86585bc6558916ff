using System.Text;
using System.Text.Json.Nodes;
using Jailgrade.Registry.Events;

namespace Jailgrade.Registry.Tests.Events;

public class CanonicalJsonTests
{
    [Fact]
    public void Encode_MemberNames_SortByUtf16CodeUnitsAsRfc8785Example()
    {
        // RFC 8785 section 3.2.3's example: U+1F600 (surrogates D83D DE00) sorts before U+FB33,
        // although its code point is larger; U+000D sorts before "1".
        var input = new JsonObject
        {
            ["\u20ac"] = "Euro Sign",
            ["\r"] = "Carriage Return",
            ["\ufb33"] = "Hebrew Letter Dalet With Dagesh",
            ["1"] = "One",
            ["\ud83d\ude00"] = "Emoji: Grinning Face",
            ["\u0080"] = "Control",
            ["\u00f6"] = "Latin Small Letter O With Diaeresis",
        };

        var expected = "{\"\\r\":\"Carriage Return\",\"1\":\"One\",\"\u0080\":\"Control\",\"\u00f6\":\"Latin Small Letter O With Diaeresis\","
            + "\"\u20ac\":\"Euro Sign\",\"\ud83d\ude00\":\"Emoji: Grinning Face\",\"\ufb33\":\"Hebrew Letter Dalet With Dagesh\"}";
        CanonicalJson.EncodeToString(input).ShouldBe(expected);
    }

    [Fact]
    public void Encode_String_EscapesOnlyQuoteBackslashAndControlsAsRfc8785Example()
    {
        // RFC 8785 section 3.2.2.2: "\u20ac$\u000F\u000aA'\u0042\u0022\u005c\\\"\/" canonicalizes to
        // "€$\u000f\nA'B\"\\\\\"/" (raw UTF-8 for €, lower-case hex, no escape for '/').
        var input = JsonValue.Create("\u20ac$\u000f\nA'B\"\\\\\"/");
        CanonicalJson.EncodeToString(input).ShouldBe("\"\u20ac$\\u000f\\nA'B\\\"\\\\\\\\\\\"/\"");
        CanonicalJson.Encode(input).ShouldBe(Encoding.UTF8.GetBytes("\"\u20ac$\\u000f\\nA'B\\\"\\\\\\\\\\\"/\""));
    }

    [Fact]
    public void Encode_ShortEscapes_UseTheirTwoCharacterForms()
    {
        CanonicalJson.EncodeToString(JsonValue.Create("\b\t\n\f\r\u0001\u001f\u007f"))
            .ShouldBe("\"\\b\\t\\n\\f\\r\\u0001\\u001f\u007f\"");
    }

    [Fact]
    public void Encode_NestedArraysAndLiterals_HaveNoWhitespace()
    {
        var input = JsonNode.Parse("""{ "b" : [ 1 , -2 , true , false , null , { "z" : 0 , "a" : [ ] } ] , "a" : { } }""");
        CanonicalJson.EncodeToString(input).ShouldBe("""{"a":{},"b":[1,-2,true,false,null,{"a":[],"z":0}]}""");
    }

    [Theory]
    [InlineData("1.5")]
    [InlineData("1e3")]
    [InlineData("9007199254740992")]
    [InlineData("-9007199254740992")]
    public void Encode_FractionOrUnsafeInteger_IsRefusedWithItsPath(string number)
    {
        var input = JsonNode.Parse($$"""{"score":{{number}}}""");
        var error = Should.Throw<CanonicalJsonException>(() => CanonicalJson.EncodeToString(input));
        error.Message.ShouldStartWith("$.score:");
    }

    [Fact]
    public void Encode_LargestSafeIntegers_AreWrittenInPlainDecimal()
    {
        var input = new JsonObject { ["max"] = CanonicalJson.MaxSafeInteger, ["min"] = -CanonicalJson.MaxSafeInteger, ["zero"] = JsonNode.Parse("-0") };
        CanonicalJson.EncodeToString(input).ShouldBe("""{"max":9007199254740991,"min":-9007199254740991,"zero":0}""");
    }

    [Fact]
    public void Encode_LoneSurrogate_IsRefused()
    {
        // Built from code units: a test runner may replace lone surrogates in attribute data.
        foreach (var text in new[] { new string([(char)0xD800]), new string(['a', (char)0xDC00, 'b']), new string([(char)0xDE00, (char)0xD83D]) })
        {
            Should.Throw<CanonicalJsonException>(() => CanonicalJson.EncodeToString(new JsonObject { ["t"] = text }))
                .Message.ShouldContain("lone surrogate");
        }
    }
}
