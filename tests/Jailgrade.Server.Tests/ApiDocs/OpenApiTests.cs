using System.Net;
using System.Text.Json;
using Jailgrade.Server.Internal;
using Jailgrade.Server.Tests.Authorization;

namespace Jailgrade.Server.Tests.ApiDocs;

/// <summary>
/// The OpenAPI document at /openapi/v1.json: open, and complete against the server's own route table,
/// so a route added later is checked without touching this file.
/// </summary>
public class OpenApiTests
{
    // The routes that serve the description itself; no other route may leave the document.
    private static readonly string[] Undescribed = ["GET /docs", "GET /docs/docs.css", "GET /docs/docs.js", "GET /openapi/{documentName}.json"];

    [Fact]
    public async Task Document_ListsEveryRouteOfTheRouteTable_NamedAndTagged()
    {
        await using var registry = await TestRegistry.CreateAsync();
        using var document = await DocumentAsync(registry);
        var paths = document.RootElement.GetProperty("paths");

        var routes = RouteTable.Of(registry.Server!);
        routes.Where(r => r.ExcludedFromDescription).Select(r => r.Key).Order(StringComparer.Ordinal).ShouldBe(Undescribed);
        var missing = new List<string>();
        foreach (var route in routes.Where(r => !r.ExcludedFromDescription))
        {
            if (!paths.TryGetProperty(route.OpenApiPath, out var path) || !path.TryGetProperty(route.Method.ToLowerInvariant(), out var operation))
            {
                missing.Add($"{route}: not in the document");
                continue;
            }

            if (!operation.TryGetProperty("operationId", out var id) || id.GetString() != route.Name)
            {
                missing.Add($"{route}: no operationId (name the endpoint with WithName)");
            }

            if (!operation.TryGetProperty("tags", out var tags) || tags.GetArrayLength() == 0)
            {
                missing.Add($"{route}: no tag (tag its group with WithTags)");
            }
        }

        missing.ShouldBeEmpty();
        routes.Count(r => !r.ExcludedFromDescription).ShouldBe(Operations(document).Count(), "the document lists no operation the server does not map");
    }

    [Fact]
    public async Task Document_DescribesProblemResponsesAndWhichRoutesNeedAKey()
    {
        await using var registry = await TestRegistry.CreateAsync();
        using var document = await DocumentAsync(registry);

        foreach (var (name, operation) in Operations(document))
        {
            var responses = operation.GetProperty("responses");
            var keyed = operation.TryGetProperty("security", out var security) && security.GetArrayLength() > 0;
            var statuses = responses.EnumerateObject().Select(r => r.Name).ToList();
            (statuses.Contains("401") == keyed).ShouldBeTrue($"{name}: 401 is described exactly when the route needs a key");
            if (operation.TryGetProperty("requestBody", out _))
            {
                statuses.ShouldContain("400", name);
                statuses.ShouldContain("413", name);
                statuses.ShouldContain("415", name);
            }

            foreach (var refusal in responses.EnumerateObject().Where(r => r.Name[0] is '4' or '5'))
            {
                refusal.Value.GetProperty("content").GetProperty("application/problem+json").GetProperty("schema").GetProperty("$ref").GetString()
                    .ShouldBe("#/components/schemas/ProblemDetails", $"{name} {refusal.Name}");
            }
        }

        var keyedNames = Operations(document).Where(o => o.Operation.TryGetProperty("security", out _)).Select(o => o.Name).ToList();
        keyedNames.ShouldContain("GetOrganization");
        keyedNames.ShouldNotContain("Score");
        keyedNames.ShouldNotContain("Healthz");
        var problem = document.RootElement.GetProperty("components").GetProperty("schemas").GetProperty("ProblemDetails").GetProperty("properties");
        problem.TryGetProperty("field", out _).ShouldBeTrue();
        problem.TryGetProperty("expected", out _).ShouldBeTrue();
        document.RootElement.GetProperty("components").GetProperty("securitySchemes").GetProperty("bearer").GetProperty("scheme").GetString().ShouldBe("bearer");
    }

    [Theory]
    [InlineData("/docs", "text/html")]
    [InlineData("/docs/docs.js", "text/javascript")]
    [InlineData("/docs/docs.css", "text/css")]
    [InlineData("/openapi/v1.json", "application/json")]
    [InlineData("/api/v1/orgs", "application/problem+json")]
    [InlineData("/api/v1/nothing-here", "application/problem+json")]
    public async Task EveryResponse_CarriesTheContentSecurityPolicyNosniffAndNoReferrer(string path, string mediaType)
    {
        await using var registry = await TestRegistry.CreateAsync();

        using var response = await registry.Client.SendAsync(TestRegistry.Get(path));

        response.Content.Headers.ContentType?.MediaType.ShouldBe(mediaType);
        response.Headers.GetValues("Content-Security-Policy").ShouldBe([
            "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"]);
        response.Headers.GetValues("X-Content-Type-Options").ShouldBe(["nosniff"]);
        response.Headers.GetValues("Referrer-Policy").ShouldBe(["no-referrer"]);
    }

    [Fact]
    public async Task DocsPage_HasNoInlineScriptOrStyleNoAssetFromElsewhereAndNoMarkupSink()
    {
        await using var registry = await TestRegistry.CreateAsync();

        var html = await registry.Client.GetStringAsync("/docs");

        System.Text.RegularExpressions.Regex.Matches(html, "<script(?![^>]*\\bsrc=)").ShouldBeEmpty("no inline script");
        html.ShouldNotContain("<style", Case.Insensitive);
        html.ShouldNotContain(" style=", Case.Insensitive);
        System.Text.RegularExpressions.Regex.Matches(html, "\\bon[a-z]+=").ShouldBeEmpty("no event handler attributes");
        System.Text.RegularExpressions.Regex.Matches(html, "(?:src|href)=\"(?!/)").ShouldBeEmpty("every asset and link is this server's");
        SecurityHeaders.ContentSecurityPolicy.ShouldNotContain("unsafe");

        // The script writes the document's text as text: nothing from it can become markup or code.
        var script = await registry.Client.GetStringAsync("/docs/docs.js");
        foreach (var sink in new[] { "innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "new Function", "setAttribute('on", ".style." })
        {
            script.ShouldNotContain(sink);
        }
    }

    private static async Task<JsonDocument> DocumentAsync(TestRegistry registry)
    {
        using var response = await registry.Client.SendAsync(TestRegistry.Get("/openapi/v1.json"));
        response.StatusCode.ShouldBe(HttpStatusCode.OK, "the document is open: it holds no data");
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync());
    }

    private static IEnumerable<(string Name, JsonElement Operation)> Operations(JsonDocument document) =>
        from path in document.RootElement.GetProperty("paths").EnumerateObject()
        from operation in path.Value.EnumerateObject()
        where operation.Name is "get" or "post" or "put" or "patch" or "delete"
        select (operation.Value.TryGetProperty("operationId", out var id) ? id.GetString()! : $"{operation.Name} {path.Name}", operation.Value);
}
