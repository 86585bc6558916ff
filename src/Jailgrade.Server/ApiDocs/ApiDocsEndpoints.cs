using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.OpenApi;

namespace Jailgrade.Server.ApiDocs;

/// <summary>
/// The API describes itself: the OpenAPI document at <c>/openapi/v1.json</c> and a page that renders it
/// at <c>/docs</c> (docs/api.md). Both are open: the document holds the routes and the shapes of their
/// bodies, no data, the same as the source. The page is ours (an HTML file, one script and one style
/// sheet in this assembly) because the packaged viewers need inline script and style, which the
/// Content Security Policy refuses (SECURITY.md 8).
/// </summary>
internal static class ApiDocsEndpoints
{
    public const string DocumentName = "v1";
    public const string DocumentPath = "/openapi/v1.json";
    public const string PagePath = "/docs";
    public const string BearerScheme = "bearer";

    private static readonly (string Path, string Resource, string ContentType)[] PageFiles =
    [
        (PagePath, "index.html", "text/html; charset=utf-8"),
        (PagePath + "/docs.js", "docs.js", "text/javascript; charset=utf-8"),
        (PagePath + "/docs.css", "docs.css", "text/css; charset=utf-8"),
    ];

    public static IServiceCollection AddApiDocs(this IServiceCollection services) =>
        services.AddOpenApi(DocumentName, options =>
        {
            options.AddDocumentTransformer((document, _, _) =>
            {
                document.Info = new OpenApiInfo
                {
                    Title = "Jailgrade registry API",
                    Version = "v1",
                    Description = "The case registry's REST API (docs/api.md). Routes under /api/v1 need 'Authorization: Bearer <API key>' "
                        + "unless marked open; errors are RFC 9457 problem details naming the field and what was expected.",
                };
                document.Components ??= new OpenApiComponents();
                document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
                document.Components.SecuritySchemes[BearerScheme] = new OpenApiSecurityScheme
                {
                    Type = SecuritySchemeType.Http,
                    Scheme = "bearer",
                    Description = "An API key (jg_live_<id>_<secret>) or, where configured, an OpenID Connect access token for this API's audience.",
                };
                return Task.CompletedTask;
            });
            options.AddOperationTransformer((operation, context, _) =>
            {
                var metadata = context.Description.ActionDescriptor.EndpointMetadata;
                if (!metadata.OfType<IAllowAnonymous>().Any())
                {
                    operation.Security = [new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(BearerScheme, context.Document)] = [] }];
                }

                return Task.CompletedTask;
            });
            // The problems the API answers carry the field at fault and what was expected (Internal/Problems.cs).
            options.AddSchemaTransformer((schema, context, _) =>
            {
                if (context.JsonTypeInfo.Type == typeof(ProblemDetails) || context.JsonTypeInfo.Type == typeof(HttpValidationProblemDetails))
                {
                    schema.Properties ??= new Dictionary<string, IOpenApiSchema>();
                    schema.Properties["field"] = new OpenApiSchema { Type = JsonSchemaType.String, Description = "The request field at fault (a body property, a header or a query parameter)." };
                    schema.Properties["expected"] = new OpenApiSchema { Type = JsonSchemaType.String, Description = "What the field must hold." };
                }

                return Task.CompletedTask;
            });
        });

    /// <summary>
    /// Describes the refusals every route of a group can answer, from what the route declares, so a route
    /// added later is described too: 401 unless it is open, 400, 413 and 415 when it reads a body, 429
    /// when it is rate limited.
    /// </summary>
    public static RouteGroupBuilder WithCommonProblems(this RouteGroupBuilder group)
    {
        ((IEndpointConventionBuilder)group).Finally(endpoint =>
        {
            var metadata = endpoint.Metadata;
            var problems = new List<int>();
            if (!metadata.OfType<IAllowAnonymous>().Any())
            {
                problems.Add(StatusCodes.Status401Unauthorized);
            }

            if (metadata.OfType<IAcceptsMetadata>().Any())
            {
                problems.AddRange([StatusCodes.Status400BadRequest, StatusCodes.Status413PayloadTooLarge, StatusCodes.Status415UnsupportedMediaType]);
            }

            if (metadata.OfType<EnableRateLimitingAttribute>().Any())
            {
                problems.Add(StatusCodes.Status429TooManyRequests);
            }

            var declared = metadata.OfType<IProducesResponseTypeMetadata>().Select(p => p.StatusCode).ToHashSet();
            foreach (var status in problems.Where(s => !declared.Contains(s)))
            {
                endpoint.Metadata.Add(new ProducesResponseTypeMetadata(status, typeof(ProblemDetails), ["application/problem+json"]));
            }
        });
        return group;
    }

    public static IEndpointRouteBuilder MapApiDocs(this IEndpointRouteBuilder app)
    {
        app.MapOpenApi("/openapi/{documentName}.json").AllowAnonymous();
        var assembly = typeof(ApiDocsEndpoints).Assembly;
        foreach (var (path, resource, contentType) in PageFiles)
        {
            using var stream = assembly.GetManifestResourceStream($"Jailgrade.Server.ApiDocs.Page.{resource}")
                ?? throw new InvalidOperationException($"the API docs page's {resource} is not embedded in {assembly.GetName().Name}");
            using var buffer = new MemoryStream();
            stream.CopyTo(buffer);
            var bytes = buffer.ToArray();
            app.MapGet(path, () => TypedResults.Bytes(bytes, contentType))
                .AllowAnonymous().ExcludeFromDescription().WithName("ApiDocs" + Path.GetExtension(resource).TrimStart('.').ToUpperInvariant());
        }

        return app;
    }
}
