using System.Data.Common;
using Jailgrade.Registry.Persistence;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace Jailgrade.Server.Health;

/// <summary><c>/healthz</c> (the process answers) and <c>/readyz</c> (the database answers at this build's schema).</summary>
internal static class HealthEndpoints
{
    public sealed record HealthStatus(string Status);

    public static RouteGroupBuilder MapHealth(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("").AllowAnonymous().WithTags("Health");
        group.MapGet("/healthz", () => TypedResults.Ok(new HealthStatus("ok"))).WithName("Healthz");
        group.MapGet("/readyz", ReadyAsync).WithName("Readyz").ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        return group;
    }

    private static async Task<Results<Ok<HealthStatus>, ProblemHttpResult>> ReadyAsync(RegistryDatabase database, CancellationToken cancellationToken)
    {
        try
        {
            var version = await Migrator.CurrentVersionAsync(database, cancellationToken);
            var expected = Migrator.LatestVersion(database.Provider);
            return version == expected
                ? TypedResults.Ok(new HealthStatus("ready"))
                : TypedResults.Problem($"the database's schema is at version {version}; this server needs {expected}", statusCode: StatusCodes.Status503ServiceUnavailable, title: "Not ready");
        }
        catch (Exception e) when (e is DbException or TimeoutException or InvalidOperationException)
        {
            // The exception's text may hold connection details: say what failed, not how.
            return TypedResults.Problem("the database does not answer", statusCode: StatusCodes.Status503ServiceUnavailable, title: "Not ready");
        }
    }
}
