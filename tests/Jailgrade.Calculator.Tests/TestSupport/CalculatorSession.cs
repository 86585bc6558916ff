using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.Playwright;

namespace Jailgrade.Calculator.Tests.TestSupport;

/// <summary>
/// One page of the calculator in its own browser context, with the network blocked: every request
/// other than the page file itself is aborted and recorded, and so is every Content Security Policy
/// violation, whether the page reports it as an event or the browser logs it.
/// </summary>
public sealed class CalculatorSession : IAsyncDisposable
{
    private readonly IBrowserContext _context;
    private readonly ConcurrentQueue<string> _requests = new();
    private readonly ConcurrentQueue<string> _violations = new();

    private CalculatorSession(IBrowserContext context, IPage page)
    {
        _context = context;
        Page = page;
    }

    public IPage Page { get; }

    /// <summary>Requests the page made beyond loading itself.</summary>
    public IReadOnlyCollection<string> Requests => _requests;

    public static async Task<CalculatorSession> OpenAsync(Chromium chromium, string fragment = "", int width = 1024)
    {
        if (Chromium.Missing is { } missing)
        {
            throw new InvalidOperationException($"{missing}; in CI (CI=true) the browser must be installed by .ci/run");
        }

        var context = await chromium.Browser.NewContextAsync(new BrowserNewContextOptions
        {
            ViewportSize = new ViewportSize { Width = width, Height = 800 },
            JavaScriptEnabled = true,
        });
        var page = await context.NewPageAsync();
        var session = new CalculatorSession(context, page);
        await context.RouteAsync("**/*", async route =>
        {
            if (route.Request.Url.Split('#')[0] == chromium.PageUrl)
            {
                await route.ContinueAsync();
                return;
            }

            session._requests.Enqueue(route.Request.Url);
            await route.AbortAsync("blockedbyclient");
        });
        page.Console += (_, message) =>
        {
            if (message.Text.Contains("Content Security Policy", StringComparison.OrdinalIgnoreCase))
            {
                session._violations.Enqueue(message.Text);
            }
        };
        await page.AddInitScriptAsync("""
            window.__cspViolations = [];
            document.addEventListener('securitypolicyviolation', e =>
              window.__cspViolations.push(e.violatedDirective + ' ' + e.blockedURI));
            """);
        await page.GotoAsync(chromium.PageUrl + fragment);
        await page.WaitForSelectorAsync("body[data-ready=true]", new PageWaitForSelectorOptions { State = WaitForSelectorState.Attached });
        return session;
    }

    /// <summary>
    /// Runs <paramref name="function"/> (a JavaScript function, possibly async) in the page and returns
    /// its result as JSON.
    /// </summary>
    public async Task<JsonElement> EvaluateAsync(string function, object? argument = null)
    {
        var json = await Page.EvaluateAsync<string>($"async argument => JSON.stringify(await ({function})(argument))", argument);
        using var document = JsonDocument.Parse(json);
        return document.RootElement.Clone();
    }

    /// <summary>Every CSP violation so far: events seen by the page and messages the browser logged.</summary>
    public async Task<IReadOnlyList<string>> ViolationsAsync()
    {
        var reported = await Page.EvaluateAsync<string[]>("() => window.__cspViolations");
        return [.. reported, .. _violations];
    }

    /// <summary>Asserts the page made no request and met no CSP violation.</summary>
    public async Task ShouldBeCleanAsync()
    {
        Requests.ShouldBeEmpty("the calculator must make no request");
        (await ViolationsAsync()).ShouldBeEmpty("the calculator's own CSP must allow everything it does");
    }

    public async ValueTask DisposeAsync() => await _context.DisposeAsync();
}
