using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Jailgrade.Server.Internal;

/// <summary>
/// The headers of SECURITY.md 8 on every response, HTML page or not: a Content Security Policy that
/// allows only the server's own scripts, styles and images (no inline code, nothing from elsewhere, no
/// framing), <c>nosniff</c>, and no referrer. Set as the response starts, so an error page that
/// clears the headers still carries them.
/// </summary>
internal static class SecurityHeaders
{
    public const string ContentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'";

    public static IApplicationBuilder UseSecurityHeaders(this IApplicationBuilder app) =>
        app.Use((context, next) =>
        {
            var response = context.Response;
            response.OnStarting(() =>
            {
                response.Headers.ContentSecurityPolicy = ContentSecurityPolicy;
                response.Headers.XContentTypeOptions = "nosniff";
                response.Headers["Referrer-Policy"] = "no-referrer";
                return Task.CompletedTask;
            });
            return next(context);
        });
}
