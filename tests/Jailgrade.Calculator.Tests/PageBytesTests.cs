using System.Text;
using Jailgrade.Standard.Calculator;

namespace Jailgrade.Calculator.Tests;

/// <summary>The page's bytes, without a browser: deterministic, and the CSP hashes are those of its inline code.</summary>
public sealed class PageBytesTests
{
    [Fact]
    public void Build_Twice_GivesTheSameBytes()
    {
        CalculatorPage.Build().ShouldBe(CalculatorPage.Build());
    }

    [Fact]
    public void Build_ContentSecurityPolicy_AllowsExactlyTheInlineScriptAndStyleByHash()
    {
        var page = Encoding.UTF8.GetString(CalculatorPage.Bytes.Span);
        var script = Between(page, "<script>", "</script>");
        var style = Between(page, "<style>", "</style>");

        page.ShouldContain($"script-src 'sha256-{Hash(script)}'");
        page.ShouldContain($"style-src 'sha256-{Hash(style)}'");
        page.ShouldContain("default-src 'none'");
        page.ShouldContain("connect-src 'none'");
    }

    [Fact]
    public void Build_Definition_IsEmbeddedAsDataThatCannotCloseItsScriptElement()
    {
        var page = Encoding.UTF8.GetString(CalculatorPage.Bytes.Span);
        var data = Between(page, "<script type=\"application/json\" id=\"jg-definition\">", "</script>");

        data.ShouldNotContain("<");
        using var document = System.Text.Json.JsonDocument.Parse(data);
        document.RootElement.GetProperty("base_vector_count").GetInt32().ShouldBe(612_360);
    }

    private static string Between(string text, string open, string close)
    {
        var start = text.IndexOf(open, StringComparison.Ordinal);
        start.ShouldBeGreaterThanOrEqualTo(0, $"no {open} in the page");
        start += open.Length;
        return text[start..text.IndexOf(close, start, StringComparison.Ordinal)];
    }

    private static string Hash(string inline) =>
        Convert.ToBase64String(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(inline)));
}
