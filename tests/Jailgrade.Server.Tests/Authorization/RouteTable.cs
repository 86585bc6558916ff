using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Jailgrade.Server.Tests.Authorization;

/// <summary>One route of the running server: method and pattern as mapped (<c>GET /api/v1/orgs/{id:guid}</c>).</summary>
internal sealed record Route(string Method, string Pattern, string? Name, bool ExcludedFromDescription)
{
    public string Key => $"{Method} {Pattern}";

    /// <summary>The pattern as OpenAPI writes it: route constraints dropped (<c>/api/v1/orgs/{id}</c>).</summary>
    public string OpenApiPath => Regex.Replace(Pattern, @"\{([^}:]+):[^}]+\}", "{$1}");

    public override string ToString() => Name is null ? Key : $"{Key} ({Name})";
}

/// <summary>The route table of a running server, read from its endpoint data source: what the server really maps.</summary>
internal static class RouteTable
{
    public static List<Route> Of(RegistryServer server) =>
    [
        .. server.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .SelectMany(endpoint => (endpoint.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods ?? ["*"]).Select(method => new Route(
                method,
                Normalized(endpoint.RoutePattern.RawText ?? ""),
                endpoint.Metadata.GetMetadata<IEndpointNameMetadata>()?.EndpointName,
                endpoint.Metadata.GetMetadata<IExcludeFromDescriptionMetadata>()?.ExcludeFromDescription == true)))
            .OrderBy(r => r.Pattern, StringComparer.Ordinal).ThenBy(r => r.Method, StringComparer.Ordinal),
    ];

    // A group's own route ("" under "/api/v1/orgs") reads "/api/v1/orgs/" in the raw text; requests and OpenAPI have no slash.
    private static string Normalized(string pattern) => pattern.Length > 1 ? pattern.TrimEnd('/') : pattern;
}
