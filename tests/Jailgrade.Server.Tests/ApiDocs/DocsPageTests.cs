using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.Playwright;

namespace Jailgrade.Server.Tests.ApiDocs;

/// <summary>
/// /docs as a browser shows it, under the server's own Content Security Policy: every route of the
/// OpenAPI document renders, no CSP violation happens, and nothing is requested from another host.
/// </summary>
public sealed class DocsPageTests(DocsBrowser chromium) : IClassFixture<DocsBrowser>
{
    [DocsBrowserFact]
    public async Task Docs_InChromiumUnderTheCsp_RendersEveryRouteWithNoViolationAndNoOutsideRequest()
    {
        await using var registry = await TestRegistry.CreateAsync();
        var browser = chromium.Browser ?? throw new InvalidOperationException(DocsBrowser.Missing);
        await using var context = await browser.NewContextAsync();
        var page = await context.NewPageAsync();
        var requests = new ConcurrentQueue<string>();
        var logged = new ConcurrentQueue<string>();
        // Every request is recorded; one to any host but the server's loopback address is refused.
        await context.RouteAsync("**/*", async route =>
        {
            requests.Enqueue(route.Request.Url);
            if (new Uri(route.Request.Url).Host == registry.Server!.BaseAddress.Host)
            {
                await route.ContinueAsync();
            }
            else
            {
                await route.AbortAsync("blockedbyclient");
            }
        });
        page.Console += (_, message) =>
        {
            if (message.Text.Contains("Content Security Policy", StringComparison.OrdinalIgnoreCase))
            {
                logged.Enqueue(message.Text);
            }
        };
        await page.AddInitScriptAsync("""
            window.__cspViolations = [];
            document.addEventListener('securitypolicyviolation', e => window.__cspViolations.push(e.violatedDirective + ' ' + e.blockedURI));
            """);

        var response = await page.GotoAsync(new Uri(registry.Server!.BaseAddress, "/docs").AbsoluteUri);
        await page.WaitForSelectorAsync("body[data-ready=true]", new PageWaitForSelectorOptions { State = WaitForSelectorState.Attached });

        (await response!.HeaderValueAsync("content-security-policy")).ShouldNotBeNull();
        using var document = JsonDocument.Parse(await registry.Client.GetStringAsync("/openapi/v1.json"));
        var expected = (from path in document.RootElement.GetProperty("paths").EnumerateObject()
                        from operation in path.Value.EnumerateObject()
                        select $"{operation.Name.ToUpperInvariant()} {path.Name}").Order(StringComparer.Ordinal).ToList();
        var headings = (await page.Locator("section.operation h3 .method").AllTextContentsAsync())
            .Zip(await page.Locator("section.operation h3 .path").AllTextContentsAsync(), (method, path) => $"{method} {path}")
            .Order(StringComparer.Ordinal).ToList();
        headings.ShouldBe(expected);
        (await page.Locator("#RenameOrganization .parameter").AllTextContentsAsync()).ShouldContain(p => p.StartsWith("idpathyes", StringComparison.Ordinal));
        (await page.Locator("#RenameOrganization").TextContentAsync())!.ShouldContain("RenameOrganizationRequest {");
        (await page.Locator("#RenameOrganization .response .status").AllTextContentsAsync()).ShouldContain("428");
        (await page.Locator("#GetOrganization .access").TextContentAsync()).ShouldBe("needs a key");
        (await page.Locator("#Score .access").TextContentAsync()).ShouldBe("open");

        var violations = await page.EvaluateAsync<string[]>("() => window.__cspViolations");
        violations.ShouldBeEmpty();
        logged.ShouldBeEmpty();
        requests.Where(r => new Uri(r).Host != registry.Server.BaseAddress.Host).ShouldBeEmpty();
        requests.ShouldContain(r => r.EndsWith("/openapi/v1.json", StringComparison.Ordinal));
    }
}
