using Deque.AxeCore.Playwright;
using Jailgrade.Calculator.Tests.TestSupport;
using Microsoft.Playwright;

namespace Jailgrade.Calculator.Tests;

/// <summary>
/// The page as a person uses it, from a file:// URL with the network blocked: every session asserts at
/// its end that the page requested nothing and met no Content Security Policy violation.
/// </summary>
[Collection(ChromiumTests.Name)]
public sealed class PageTests(Chromium chromium)
{
    private const string Lab = "JG:1.0/UN:N/RL:L/AC:H/AR:N/HD:CY/UP:1/BR:N/FD:M/EX:N/DP:G";
    private const string Government = "JG:1.0/UN:C/RL:M/AC:M/AR:N/HD:CY/UP:3/BR:S/FD:H/EX:N/DP:G";

    [BrowserFact]
    public async Task Open_FromFileWithNetworkBlocked_ScoresWithoutAnyRequest()
    {
        await using var session = await CalculatorSession.OpenAsync(chromium);

        (await Text(session, "#score")).ShouldBe("0.1");
        (await Text(session, "#band")).ShouldBe("Low");
        (await Text(session, "#standard")).ShouldBe("JG 1.0");
        (await session.Page.TextContentAsync("header"))!.ShouldContain($"calculator {Jailgrade.Standard.Calculator.CalculatorPage.Version}");
        await session.ShouldBeCleanAsync();
    }

    [BrowserFact]
    public async Task Click_MetricValues_MovesTheBandAsSection9Says()
    {
        await using var session = await CalculatorSession.OpenAsync(chromium, "#" + Lab);
        (await Score(session)).ShouldBe("3.0 Low CJS-1");

        await session.Page.ClickAsync("label[for=v-UP-3]");
        (await Score(session)).ShouldBe("6.6 Medium CJS-2");

        await session.Page.ClickAsync("label[for=v-UP-4]");
        (await Score(session)).ShouldBe("8.4 High CJS-3");

        await session.Page.ClickAsync("label[for=v-HD-FR]");
        (await Score(session)).ShouldBe("7.6 High none (given for HD:CY only)", "the moderate tier weighs 0.8 less than the catastrophic");

        await session.Page.ClickAsync("label[for=v-MS-V]");
        (await Text(session, "#current")).ShouldBe("0.6");
        (await Text(session, "#current-band")).ShouldBe("Low");
        (await Text(session, "#vector")).ShouldBe("JG:1.0/UN:N/RL:L/AC:H/AR:N/HD:FR/UP:4/BR:N/FD:M/EX:N/DP:G/MS:V");
        new Uri(session.Page.Url).Fragment.ShouldBe("#JG:1.0/UN:N/RL:L/AC:H/AR:N/HD:FR/UP:4/BR:N/FD:M/EX:N/DP:G/MS:V");
        await session.ShouldBeCleanAsync();
    }

    [BrowserFact]
    public async Task Permalink_OfAClickedVector_RestoresItInAFreshPage()
    {
        string url;
        await using (var first = await CalculatorSession.OpenAsync(chromium, "#" + Government))
        {
            await first.Page.ClickAsync("label[for=v-MS-P]");
            url = first.Page.Url;
            await first.ShouldBeCleanAsync();
        }

        await using var second = await CalculatorSession.OpenAsync(chromium, new Uri(url).Fragment);

        (await Score(second)).ShouldBe("8.5 High CJS-3");
        (await Text(second, "#current")).ShouldBe("6.5");
        (await Text(second, "#current-band")).ShouldBe("Medium");
        (await second.Page.IsCheckedAsync("#v-UN-C")).ShouldBeTrue();
        (await second.Page.IsCheckedAsync("#v-MS-P")).ShouldBeTrue();
        (await second.Page.InputValueAsync("#input")).ShouldBe(Government + "/MS:P");
        (await second.Page.IsHiddenAsync("#error")).ShouldBeTrue();
        await second.ShouldBeCleanAsync();
    }

    [BrowserFact]
    public async Task Permalink_HoldingMarkup_ExecutesNothingAndShowsTheParserError()
    {
        const string Markup = "JG:1.0/UN:<img src=x onerror=document.title='pwned'>";
        await using var session = await CalculatorSession.OpenAsync(chromium, "#" + Markup);

        (await session.Page.IsVisibleAsync("#error")).ShouldBeTrue();
        (await Text(session, "#error-message")).ShouldStartWith("Not a JG 1.0 vector: bad value at column 11 (UN): bad value '<img src=x onerror=docum…' for UN");
        (await Text(session, "#error-input")).ShouldBe(Markup);
        (await session.Page.EvaluateAsync<int>("() => document.querySelectorAll('img, [onerror]').length")).ShouldBe(0);
        (await session.Page.TitleAsync()).ShouldBe("JG 1.0 calculator");
        (await Score(session)).ShouldBe("0.1 Low none (given for HD:CY only)", "an invalid permalink leaves the vector as it was");
        await session.ShouldBeCleanAsync();
    }

    [BrowserFact]
    public async Task Load_InvalidVector_ShowsTheClassColumnAndACaretUnderIt()
    {
        await using var session = await CalculatorSession.OpenAsync(chromium);

        await session.Page.FillAsync("#input", "JG:1.0/UN:U/UN:U/RL:H");
        await session.Page.PressAsync("#input", "Enter");

        (await Text(session, "#error-message")).ShouldBe("Not a JG 1.0 vector: duplicate at column 13 (UN): UN appears twice (first at column 8): each metric may appear once");
        (await session.Page.TextContentAsync("#error-caret")).ShouldBe(new string(' ', 12) + "^");

        await session.Page.FillAsync("#input", "  " + Government + "\n");
        await session.Page.PressAsync("#input", "Enter");
        (await session.Page.IsHiddenAsync("#error")).ShouldBeTrue();
        (await Score(session)).ShouldBe("8.5 High CJS-3");
        await session.ShouldBeCleanAsync();
    }

    [BrowserFact]
    public async Task Paste_Vector_LoadsAValidOneAtOnceAndShowsWhyAnInvalidOneIsNot()
    {
        await using var session = await CalculatorSession.OpenAsync(chromium);
        const string Paste = """
            text => {
              const input = document.getElementById('input');
              input.value = text;
              input.dispatchEvent(new InputEvent('input', { inputType: 'insertFromPaste', data: text, bubbles: true }));
            }
            """;

        await session.Page.EvaluateAsync(Paste, Government + "\n");
        (await Score(session)).ShouldBe("8.5 High CJS-3");

        await session.Page.EvaluateAsync(Paste, "JG:1.0/UN:C/RL:M/AC:M/AR:N/HD:CY/UP:3/BR:S/FD:H/EX:N/DP:GX");
        (await Text(session, "#error-message")).ShouldStartWith("Not a JG 1.0 vector: trailing junk at column 58: unexpected 'X' after DP:G");
        (await Score(session)).ShouldBe("8.5 High CJS-3", "an invalid paste leaves the vector as it was");
        await session.ShouldBeCleanAsync();
    }

    [BrowserFact]
    public async Task Keyboard_Alone_ReachesEveryMetricAndChangesTheScore()
    {
        await using var session = await CalculatorSession.OpenAsync(chromium, "#" + Lab);
        var page = session.Page;

        // Tab moves from group to group (one stop per metric), arrows move within a group.
        var stops = new List<string>();
        for (var i = 0; i < 40 && !stops.Contains("v-MS-X"); i++)
        {
            await page.Keyboard.PressAsync("Tab");
            stops.Add(await page.EvaluateAsync<string>("() => document.activeElement.id"));
        }

        foreach (var metric in Jailgrade.Standard.JgMetrics.All)
        {
            stops.ShouldContain(id => id.StartsWith($"v-{metric.Abbreviation}-", StringComparison.Ordinal), $"Tab never reached {metric.Abbreviation}");
        }

        await page.FocusAsync("#v-UP-1");
        await page.Keyboard.PressAsync("ArrowRight");
        await page.Keyboard.PressAsync("ArrowRight");
        (await Score(session)).ShouldBe("6.6 Medium CJS-2");
        (await page.EvaluateAsync<bool>("() => getComputedStyle(document.activeElement.nextElementSibling).outlineStyle !== 'none'"))
            .ShouldBeTrue("the focused value shows a focus ring");

        await page.FocusAsync("#input");
        await page.Keyboard.PressAsync("Control+A");
        await page.Keyboard.TypeAsync(Government);
        await page.Keyboard.PressAsync("Enter");
        (await Score(session)).ShouldBe("8.5 High CJS-3");
        await session.ShouldBeCleanAsync();
    }

    [BrowserFact]
    public async Task Narrow_At375Pixels_HasNoHorizontalOverflow()
    {
        await using var session = await CalculatorSession.OpenAsync(chromium, "#" + Government + "/MS:P", width: 375);
        var overflow = "() => document.documentElement.scrollWidth - document.documentElement.clientWidth";

        (await session.Page.EvaluateAsync<int>(overflow)).ShouldBeLessThanOrEqualTo(0);

        await session.Page.FillAsync("#input", Government + "/MS:PXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX");
        await session.Page.PressAsync("#input", "Enter");
        (await session.Page.IsVisibleAsync("#error")).ShouldBeTrue();
        (await session.Page.EvaluateAsync<int>(overflow)).ShouldBeLessThanOrEqualTo(0);
        await session.ShouldBeCleanAsync();
    }

    [BrowserFact]
    public async Task Accessibility_AxeScan_ReportsNoSeriousOrCriticalFinding()
    {
        // axe injects its own script, which the page's CSP would refuse: it gets a context of its own.
        await using var context = await chromium.Browser.NewContextAsync(new BrowserNewContextOptions { BypassCSP = true });
        await context.RouteAsync("**/*", route => route.Request.Url.Split('#')[0] == chromium.PageUrl ? route.ContinueAsync() : route.AbortAsync());
        var page = await context.NewPageAsync();
        var findings = new List<string>();
        foreach (var (fragment, width) in new[] { ("#" + Government + "/MS:P", 1024), ("#JG:1.0/UN:U/UN:U", 375) })
        {
            await page.SetViewportSizeAsync(width, 800);
            await page.GotoAsync(chromium.PageUrl + fragment);
            await page.ReloadAsync();
            await page.WaitForSelectorAsync("body[data-ready=true]", new PageWaitForSelectorOptions { State = WaitForSelectorState.Attached });

            var result = await page.RunAxe();

            findings.AddRange(result.Violations.Where(v => v.Impact is "serious" or "critical")
                .Select(v => $"{fragment} at {width}px: {v.Impact} {v.Id}: {v.Help} ({string.Join(", ", v.Nodes.Select(n => n.Html))})"));
        }

        findings.ShouldBeEmpty();
    }

    private static async Task<string> Text(CalculatorSession session, string selector) =>
        (await session.Page.TextContentAsync(selector))?.Trim() ?? "";

    private static async Task<string> Score(CalculatorSession session) =>
        $"{await Text(session, "#score")} {await Text(session, "#band")} {await Text(session, "#cjs")}";
}
