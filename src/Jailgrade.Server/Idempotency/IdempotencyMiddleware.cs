using System.Security.Claims;
using System.Text.Json;
using Jailgrade.Registry;
using Jailgrade.Registry.Events;
using Jailgrade.Registry.Idempotency;
using Jailgrade.Registry.Identity;
using Jailgrade.Server.Identity;
using Jailgrade.Server.Internal;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.DependencyInjection;

namespace Jailgrade.Server.Idempotency;

/// <summary>
/// <c>Idempotency-Key</c> on every POST that needs a caller (docs/registry.md, "Idempotency"): the
/// first request under a key runs with its response buffered; if it wrote, its write commits together
/// with the key's record of that response, which a retry with the same request then gets again. The
/// open endpoints (score, decide) ignore the header: they keep and change nothing.
/// </summary>
internal static class IdempotencyMiddleware
{
    public const string Header = "Idempotency-Key";

    /// <summary>Marks a response that was answered again from a key's record.</summary>
    public const string ReplayedHeader = "Idempotent-Replayed";

    // What a replay repeats besides status and body; nothing else a handler sets matters to a client.
    private static readonly string[] KeptHeaders = ["Content-Type", "Location", "ETag", "Cache-Control"];

    public static IApplicationBuilder UseIdempotency(this IApplicationBuilder app, RegistryServerOptions options) =>
        app.Use(next => context => Applies(context) ? InvokeAsync(context, next, options.BeforeIdempotentHandler) : next(context));

    private static bool Applies(HttpContext context) =>
        HttpMethods.IsPost(context.Request.Method)
        && context.Request.Headers.ContainsKey(Header)
        && context.GetEndpoint() is { } endpoint
        && endpoint.Metadata.GetMetadata<IAllowAnonymous>() is null
        && context.User.Identity?.IsAuthenticated == true;

    private static async Task InvokeAsync(HttpContext context, RequestDelegate next, Func<HttpContext, Task>? beforeHandler)
    {
        var cancellationToken = context.RequestAborted;
        if (ParseKey(context.Request.Headers[Header]) is not { } key)
        {
            await TypedResults.Problem(
                $"{Header}: expected one header of 1 to {IdempotencyKeys.MaxKeyLength} printable ASCII characters (space to '~'), bare or in double quotes; a UUID is a good key",
                statusCode: StatusCodes.Status400BadRequest, title: "Invalid Idempotency-Key",
                extensions: new Dictionary<string, object?> { ["header"] = Header }).ExecuteAsync(context);
            return;
        }

        byte[] body;
        try
        {
            using var copy = new MemoryStream();
            await context.Request.Body.CopyToAsync(copy, cancellationToken);
            body = copy.ToArray();
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            await StrictJson.TooLarge(context.Request).ExecuteAsync(context);
            return;
        }

        context.Request.Body = new MemoryStream(body, writable: false);
        var services = context.RequestServices;
        var db = services.GetRequiredService<RegistryDbContext>();
        // The current key first: new records are made under it; older ones answer records made before a rotation.
        var masterKeys = services.GetRequiredService<MasterKeyRing>().All.ToList();
        var masterKey = masterKeys[0];
        var user = context.User.UserId();
        var fingerprints = masterKeys.Select(k => IdempotencyKeys.Fingerprint(k, context.Request.Method, context.Request.Path.Value + context.Request.QueryString.Value, body)).ToList();
        var now = services.GetRequiredService<TimeProvider>().GetUtcNow();
        var reservation = await IdempotencyKeys.ReserveAsync(db, user, key, fingerprints, now, cancellationToken);
        switch (reservation.Outcome)
        {
            case ReservationOutcome.Replay:
                var stored = StoredResponse.Decode(IdempotencyKeys.Open(masterKeys[reservation.Matched], user, key, reservation.Response));
                context.Response.StatusCode = reservation.Status;
                foreach (var (name, value) in stored.Headers)
                {
                    context.Response.Headers[name] = value;
                }

                context.Response.Headers[ReplayedHeader] = "true";
                await WriteBodyAsync(context, stored.Body, cancellationToken);
                return;
            case ReservationOutcome.InFlight:
                await Conflict($"a request with this {Header} is still in flight; retry once it has finished").ExecuteAsync(context);
                return;
            case ReservationOutcome.Mismatch:
                await TypedResults.Problem(
                    $"this {Header} was used in the last {IdempotencyKeys.Retention.TotalHours:0} hours for a different request (method, path or body); send a new request with a new key",
                    statusCode: StatusCodes.Status422UnprocessableEntity, title: "Idempotency-Key reused",
                    extensions: new Dictionary<string, object?> { ["header"] = Header }).ExecuteAsync(context);
                return;
        }

        await RunAsync(context, next, beforeHandler, db, masterKey, reservation.Request!);
    }

    private static async Task RunAsync(HttpContext context, RequestDelegate next, Func<HttpContext, Task>? beforeHandler, RegistryDbContext db, MasterKey masterKey, IdempotentRequest request)
    {
        var cancellationToken = context.RequestAborted;
        var responseBody = context.Features.GetRequiredFeature<IHttpResponseBodyFeature>();
        using var buffer = new MemoryStream();
        context.Features.Set<IHttpResponseBodyFeature>(new StreamResponseBodyFeature(buffer));
        db.Idempotency = request;
        bool kept;
        try
        {
            if (beforeHandler is not null)
            {
                await beforeHandler(context);
            }

            await next(context);
            db.Idempotency = null;
            kept = await FinishAsync(context, db, masterKey, request, buffer.ToArray(), cancellationToken);
        }
        catch
        {
            // Nothing of a failed request stays: its write rolls back and its key is free for a retry.
            db.Idempotency = null;
            await IdempotencyKeys.ReleaseAsync(db, request, CancellationToken.None);
            throw;
        }
        finally
        {
            context.Features.Set(responseBody);
        }

        if (!kept)
        {
            context.Response.Clear();
            await Conflict($"this request held its {Header} longer than {IdempotencyKeys.InFlightLease.TotalMinutes:0} minutes and a retry took it over; nothing was written").ExecuteAsync(context);
            return;
        }

        await WriteBodyAsync(context, buffer.ToArray(), cancellationToken);
    }

    /// <summary>
    /// Commits a request's write with its response under the key, or frees the key of a request that
    /// wrote nothing. False when a retry took the key over (the write is rolled back).
    /// </summary>
    private static async Task<bool> FinishAsync(HttpContext context, RegistryDbContext db, MasterKey masterKey, IdempotentRequest request, byte[] body, CancellationToken cancellationToken)
    {
        if (!request.Wrote)
        {
            // Refused before writing (400, 403, 404, 422...): nothing to keep, the key is free again.
            await IdempotencyKeys.ReleaseAsync(db, request, cancellationToken);
            return true;
        }

        var headers = KeptHeaders.Where(h => context.Response.Headers.ContainsKey(h)).Select(h => (h, context.Response.Headers[h].ToString())).ToList();
        var sealedResponse = IdempotencyKeys.Seal(masterKey, request.UserId, request.Key, StoredResponse.Encode(headers, body));
        return await IdempotencyKeys.CompleteAsync(db, request, context.Response.StatusCode, sealedResponse, cancellationToken);
    }

    /// <summary>The key from the header: a structured-field string in double quotes as the draft writes it, or bare.</summary>
    private static string? ParseKey(Microsoft.Extensions.Primitives.StringValues values)
    {
        if (values.Count != 1 || values[0] is not { } value)
        {
            return null;
        }

        if (value.Length >= 2 && value[0] == '"' && value[^1] == '"')
        {
            value = value[1..^1];
        }

        return IdempotencyKeys.IsValidKey(value) ? value : null;
    }

    private static ProblemHttpResult Conflict(string detail) =>
        TypedResults.Problem(detail, statusCode: StatusCodes.Status409Conflict, title: "Idempotency-Key in use",
            extensions: new Dictionary<string, object?> { ["header"] = Header });

    private static async Task WriteBodyAsync(HttpContext context, byte[] body, CancellationToken cancellationToken)
    {
        context.Response.ContentLength = body.Length;
        await context.Response.Body.WriteAsync(body, cancellationToken);
    }

    /// <summary>A response as stored under its key: the kept headers and the body's bytes, as JSON.</summary>
    private sealed record StoredResponse(List<(string Name, string Value)> Headers, byte[] Body)
    {
        public static byte[] Encode(List<(string Name, string Value)> headers, byte[] body)
        {
            using var buffer = new MemoryStream();
            using (var writer = new Utf8JsonWriter(buffer))
            {
                writer.WriteStartObject();
                writer.WriteStartObject("headers");
                foreach (var (name, value) in headers)
                {
                    writer.WriteString(name, value);
                }

                writer.WriteEndObject();
                writer.WriteBase64String("body", body);
                writer.WriteEndObject();
            }

            return buffer.ToArray();
        }

        public static StoredResponse Decode(byte[] stored)
        {
            using var document = JsonDocument.Parse(stored);
            var headers = document.RootElement.GetProperty("headers").EnumerateObject().Select(p => (p.Name, p.Value.GetString()!)).ToList();
            return new StoredResponse(headers, document.RootElement.GetProperty("body").GetBytesFromBase64());
        }
    }
}
