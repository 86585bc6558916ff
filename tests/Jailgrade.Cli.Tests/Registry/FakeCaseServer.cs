using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Jailgrade.Cli.Tests.Registry;

/// <summary>
/// A stand-in for the registry's case routes, to the contract of docs/api.md: bearer key, the case
/// projection, ETags and If-Match (428, 412), opaque cursors, 404 and 409 with <c>allowed</c> as
/// problem details. It keeps what it was sent, so tests can check the exact requests a verb makes, and
/// answers what a real registry gives only under a race (a request still in flight). The verbs' tests
/// against a real server are in CaseActionVerbTests and CaseVerbTests.
/// </summary>
internal sealed class FakeCaseServer : IAsyncDisposable
{
    public const string Key = "jg_live_00112233445566aa_ZmFrZS1jYXNlLXNlcnZlci1zZWNyZXQtbm90LXJlYWw";

    public static readonly Guid Reporter = Guid.Parse("6c0f6c8e-2d55-4c1a-9a57-5b0f3f0c9e11");

    private static readonly Dictionary<string, string[]> Lifecycle = new(StringComparer.Ordinal)
    {
        ["reported"] = [],
        ["triaged"] = [],
        ["decided"] = ["mitigating"],
        ["mitigating"] = ["verifying"],
        ["verifying"] = ["closed", "mitigating"],
        ["closed"] = ["reopened"],
    };

    private readonly WebApplication _app;
    private readonly List<Stored> _cases = [];

    private FakeCaseServer(WebApplication app) => _app = app;

    public Uri BaseAddress { get; private set; } = null!;

    public string Url => BaseAddress.ToString().TrimEnd('/');

    /// <summary>The bodies of the POSTs received, in order.</summary>
    public List<JsonObject> Posted { get; } = [];

    /// <summary>The query strings of the list requests received, in order.</summary>
    public List<string> Queries { get; } = [];

    /// <summary>The If-Match headers of the writes received, in order.</summary>
    public List<string?> IfMatches { get; } = [];

    /// <summary>Paths requested, in order.</summary>
    public List<string> Paths { get; } = [];

    /// <summary>Cases answered with this JSON as it stands (200), whatever its shape: a real server never sends one.</summary>
    public Dictionary<Guid, string> Malformed { get; } = [];

    public static async Task<FakeCaseServer> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(System.Net.IPAddress.Loopback, 0));
        var app = builder.Build();
        var fake = new FakeCaseServer(app);
        fake.Map(app);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        fake.BaseAddress = new Uri(address.TrimEnd('/') + "/");
        return fake;
    }

    /// <summary>Adds a case with one involvement in the given status; returns the case and involvement ids.</summary>
    public (Guid Case, Guid Involvement) Seed(string title, string involvementStatus = "decided", string? lab = null)
    {
        lock (_cases)
        {
            var stored = new Stored(Guid.NewGuid(), title, _cases.Count, lab ?? "Example Lab");
            stored.Involvements.Add(new InvolvementState(Guid.NewGuid(), Guid.NewGuid(), involvementStatus));
            _cases.Add(stored);
            return (stored.Id, stored.Involvements[0].Id);
        }
    }

    private void Map(WebApplication app)
    {
        app.Use(async (context, next) =>
        {
            lock (Paths)
            {
                Paths.Add(context.Request.Path + context.Request.QueryString);
            }

            if (context.Request.Path.StartsWithSegments("/moved"))
            {
                context.Response.StatusCode = StatusCodes.Status307TemporaryRedirect;
                context.Response.Headers.Location = Url + context.Request.Path.Value!["/moved".Length..];
                return;
            }

            if (context.Request.Headers.Authorization != "Bearer " + Key)
            {
                await Problem(context, 401, "Unauthorized", "the API key was refused: unknown key");
                return;
            }

            await next(context);
        });

        app.MapPost("/api/v1/cases", async context =>
        {
            var body = (await JsonNode.ParseAsync(context.Request.Body))!.AsObject();
            Stored stored;
            lock (_cases)
            {
                Posted.Add(body);
                stored = new Stored(Guid.NewGuid(), body["title"]!.GetValue<string>(), _cases.Count, body["labAsReported"]!.GetValue<string>())
                {
                    Authority = body["authority"]!.GetValue<string>(),
                    DiscoveredAt = body["discoveredAt"]?.GetValue<string>(),
                };
                _cases.Add(stored);
            }

            context.Response.StatusCode = 201;
            context.Response.Headers.Location = $"/api/v1/cases/{stored.Id:D}";
            await Answer(context, stored);
        });

        app.MapGet("/api/v1/cases", async context =>
        {
            lock (Queries)
            {
                Queries.Add(context.Request.QueryString.Value ?? "");
            }

            var status = context.Request.Query["status"].ToString();
            List<JsonObject> all;
            lock (_cases)
            {
                all = [.. _cases.Where(c => status.Length == 0 || c.Status == status).Select(c => c.Projection())];
            }

            await Page(context, all);
        });

        app.MapGet("/api/v1/cases/{id:guid}", async (HttpContext context, Guid id) =>
        {
            if (Malformed.TryGetValue(id, out var raw))
            {
                context.Response.ContentType = "application/json";
                await context.Response.WriteAsync(raw);
                return;
            }

            if (Find(id) is not { } stored)
            {
                await Problem(context, 404, "Not found", $"no case {id:D}");
                return;
            }

            await Answer(context, stored);
        });

        app.MapGet("/api/v1/cases/{id:guid}/history", async (HttpContext context, Guid id) =>
        {
            if (Find(id) is not { } stored)
            {
                await Problem(context, 404, "Not found", $"no case {id:D}");
                return;
            }

            await Page(context, [.. stored.Events]);
        });

        app.MapPost("/api/v1/cases/{id:guid}/involvements/{involvement:guid}/transition", async (HttpContext context, Guid id, Guid involvement) =>
        {
            string? ifMatch = context.Request.Headers.IfMatch.Count == 0 ? null : context.Request.Headers.IfMatch.ToString();
            lock (IfMatches)
            {
                IfMatches.Add(ifMatch);
            }

            if (Find(id) is not { } stored || stored.Involvements.FirstOrDefault(i => i.Id == involvement) is not { } part)
            {
                await Problem(context, 404, "Not found", $"no case {id:D}");
                return;
            }

            if (ifMatch is null)
            {
                await Problem(context, 428, "Precondition required", "this write needs If-Match");
                return;
            }

            if (ifMatch != stored.ETag)
            {
                context.Response.Headers.ETag = stored.ETag;
                await Problem(context, 412, "Stale version", "the case changed since it was read; read it again and retry");
                return;
            }

            var to = (await JsonNode.ParseAsync(context.Request.Body))!["to"]!.GetValue<string>();
            var allowed = Lifecycle.GetValueOrDefault(part.Status, []);
            if (!allowed.Contains(to))
            {
                await Problem(context, 409, "Illegal transition", $"an involvement in status {part.Status} cannot move to {to}",
                    new JsonObject { ["field"] = "to", ["allowed"] = new JsonArray([.. allowed.Select(a => (JsonNode)a)]) });
                return;
            }

            lock (_cases)
            {
                stored.Events.Add(new JsonObject
                {
                    ["seq"] = stored.Events.Count + 1,
                    ["type"] = "involvement.transitioned",
                    ["time"] = "2026-12-02T10:00:00.000Z",
                    ["object"] = new JsonObject { ["kind"] = "involvement", ["id"] = part.Id.ToString("D") },
                    ["body"] = new JsonObject { ["changes"] = new JsonArray(new JsonObject { ["field"] = "status", ["from"] = part.Status, ["to"] = to }) },
                });
                part.Status = to;
                part.Version++;
            }

            await Answer(context, stored);
        });
    }

    private Stored? Find(Guid id)
    {
        lock (_cases)
        {
            return _cases.FirstOrDefault(c => c.Id == id);
        }
    }

    private static async Task Answer(HttpContext context, Stored stored)
    {
        context.Response.Headers.ETag = stored.ETag;
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(stored.Projection().ToJsonString());
    }

    // Cursors are opaque to the client: here the index of the next item, disguised.
    private static async Task Page(HttpContext context, List<JsonObject> all)
    {
        var limit = int.TryParse(context.Request.Query["limit"], CultureInfo.InvariantCulture, out var l) ? l : 50;
        var start = context.Request.Query["cursor"].ToString() is { Length: > 0 } cursor ? int.Parse(cursor[1..], CultureInfo.InvariantCulture) : 0;
        var items = all.Skip(start).Take(limit).ToList();
        var next = start + items.Count < all.Count ? $"c{start + items.Count}" : null;
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(new JsonObject { ["items"] = new JsonArray([.. items]), ["next"] = next }.ToJsonString());
    }

    private static async Task Problem(HttpContext context, int status, string title, string detail, JsonObject? extensions = null)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/problem+json";
        var problem = new JsonObject { ["title"] = title, ["status"] = status, ["detail"] = detail };
        foreach (var (name, value) in extensions ?? [])
        {
            problem[name] = value?.DeepClone();
        }

        await context.Response.WriteAsync(problem.ToJsonString());
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private sealed class InvolvementState(Guid id, Guid lab, string status)
    {
        public Guid Id { get; } = id;

        public Guid Lab { get; } = lab;

        public string Status { get; set; } = status;

        public long Version { get; set; } = 1;
    }

    private sealed class Stored(Guid id, string title, int index, string lab)
    {
        public Guid Id { get; } = id;

        public string Title { get; } = title;

        public string Lab { get; } = lab;

        public string Authority { get; init; } = "5f1c8a2e-3b4d-4e6f-8a9b-0c1d2e3f4a5b";

        public string? DiscoveredAt { get; init; }

        public List<InvolvementState> Involvements { get; } = [];

        public List<JsonObject> Events { get; } = [];

        public string Status => Involvements.Count == 0 ? "reported" : Involvements[0].Status;

        public string ETag => $"\"c{string.Join('.', Involvements.Select(i => i.Version.ToString(CultureInfo.InvariantCulture)).Prepend("1"))}\"";

        public JsonObject Projection() => new()
        {
            ["id"] = Id.ToString("D"),
            ["title"] = Title,
            ["status"] = Status,
            ["reporter"] = Reporter.ToString("D"),
            ["authority"] = Authority,
            ["incidentType"] = null,
            ["discoveredAt"] = DiscoveredAt,
            ["reportedAt"] = "2026-12-02T09:00:00.000Z",
            ["asserted"] = new JsonArray("discoveredAt", "reportedAt"),
            ["createdAt"] = new DateTimeOffset(2026, 12, 2, 9, 0, 0, TimeSpan.Zero).AddSeconds(index).ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture),
            ["resolution"] = null,
            ["duplicateOf"] = null,
            ["labAsReported"] = Lab,
            ["modelAsReported"] = "ex-1",
            ["involvements"] = new JsonArray([.. Involvements.Select(i => (JsonNode)new JsonObject
            {
                ["id"] = i.Id.ToString("D"),
                ["lab"] = i.Lab.ToString("D"),
                ["status"] = i.Status,
                ["releases"] = new JsonArray(),
                ["acknowledgedAt"] = null,
                ["version"] = i.Version,
            })]),
            ["lastEvent"] = Events.Count,
        };
    }
}
