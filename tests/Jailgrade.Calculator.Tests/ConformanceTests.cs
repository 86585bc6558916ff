using System.Text.Json;
using Jailgrade.Calculator.Tests.TestSupport;

namespace Jailgrade.Calculator.Tests;

/// <summary>
/// The page's scorer is a second implementation of JG 1.0: held to the standard's published table hash
/// over every base vector, and to the reference implementation on current scores and parse errors.
/// </summary>
[Collection(ChromiumTests.Name)]
public sealed class ConformanceTests(Chromium chromium)
{
    /// <summary>Section 10: the hash every conforming implementation's table must have.</summary>
    private const string PublishedTableSha256 = "e6092f60790c02e2af9ed06b5a212e9fc111c0c6d87018c675168004eee50634";

    // Builds the table of section 10 in the browser from the page's own parser, scorer and formatter:
    // odometer order over the standard's values, VECTOR<TAB>SCORE<TAB>BAND<LF>, hashed with WebCrypto.
    private const string TableScript = """
        async () => {
          const base = JG.metrics.filter(m => m.mandatory);
          const counts = base.map(m => m.values.length);
          const index = counts.map(() => 0);
          const buffer = new Uint8Array(counts.reduce((a, b) => a * b, 1) * 96);
          const encoder = new TextEncoder();
          const bands = {};
          let offset = 0, lines = 0, chunk = [];
          const flush = () => { offset += encoder.encodeInto(chunk.join(''), buffer.subarray(offset)).written; chunk = []; };
          for (;;) {
            const text = JG.prefix + '/' + base.map((m, i) => m.code + ':' + m.values[index[i]].code).join('/');
            const parsed = JG.parse(text);
            if (!parsed.ok) throw new Error(text + ': ' + parsed.error.message);
            if (JG.format(parsed.vector) !== text) throw new Error(text + ' formats as ' + JG.format(parsed.vector));
            const score = JG.score(parsed.vector);
            chunk.push(text + '\t' + JG.show(score.base) + '\t' + score.band + '\n');
            bands[score.band] = (bands[score.band] || 0) + 1;
            lines++;
            if (chunk.length === 8192) flush();
            let p = counts.length - 1;
            while (p >= 0 && ++index[p] === counts[p]) { index[p] = 0; p--; }
            if (p < 0) break;
          }
          flush();
          const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', buffer.subarray(0, offset)));
          return { sha256: Array.from(digest, b => b.toString(16).padStart(2, '0')).join(''), lines, bytes: offset, bands };
        }
        """;

    [BrowserFact]
    public async Task Table_EveryBaseVectorScoredInTheBrowser_ReproducesThePublishedHash()
    {
        await using var session = await CalculatorSession.OpenAsync(chromium);

        var table = await session.EvaluateAsync(TableScript);

        table.GetProperty("lines").GetInt32().ShouldBe(612_360);
        table.GetProperty("bytes").GetInt64().ShouldBe(41_598_925);
        var bands = table.GetProperty("bands");
        (bands.GetProperty("None").GetInt32(), bands.GetProperty("Low").GetInt32(), bands.GetProperty("Medium").GetInt32(),
            bands.GetProperty("High").GetInt32(), bands.GetProperty("Critical").GetInt32())
            .ShouldBe((122_472, 84_131, 176_085, 162_767, 66_905));
        table.GetProperty("sha256").GetString().ShouldBe(PublishedTableSha256);
        await session.ShouldBeCleanAsync();
    }
}
