using System.Net;
using System.Text.Json;
using Jailgrade.Registry.Administration;
using Jailgrade.Registry.Organizations;

namespace Jailgrade.Server.Tests.Authorization;

/// <summary>
/// Who may do what, route by route (issue 11, "Authorization"; SECURITY.md 2): for every route the
/// server maps, the exact status each role gets on its own organization's object, on another
/// organization's, and on a missing id. The routes come from the server's route table, so a route
/// without an entry here fails the suite by name. Every cell runs over real HTTP.
/// </summary>
public class AuthorizationMatrixTests
{
    // Columns of every row, in this order:
    //                                                  admin regulator lab auditor reporter public anonymous
    private static readonly Entry[] Matrix =
    [
        Entry.Any("GET /healthz",                         "200 200 200 200 200 200 200"),
        Entry.Any("GET /readyz",                          "200 200 200 200 200 200 200"),
        Entry.Any("GET /openapi/{documentName}.json",     "200 200 200 200 200 200 200", path: "/openapi/v1.json"),
        Entry.Any("GET /docs",                            "200 200 200 200 200 200 200"),
        Entry.Any("GET /docs/docs.js",                    "200 200 200 200 200 200 200"),
        Entry.Any("GET /docs/docs.css",                   "200 200 200 200 200 200 200"),
        Entry.Any("GET /api/v1/me",                       "200 200 200 200 200 200 401"),
        Entry.Any("POST /api/v1/score",                   "200 200 200 200 200 200 200", body: """{"vector":"JG:1.0/UN:U/RL:H/AC:L/AR:N/HD:CY/UP:3/BR:W/FD:H/EX:P/DP:G"}"""),
        Entry.Any("POST /api/v1/decide",                  "200 200 200 200 200 200 200", body: """{"policy":"us-frontier","case":{"vector":"JG:1.0/UN:U/RL:H/AC:L/AR:N/HD:CY/UP:3/BR:W/FD:H/EX:P/DP:G","reported":"2026-12-02T08:00:00Z"}}"""),
        Entry.Any("GET /api/v1/orgs",                     "200 200 200 200 200 200 401"),
        Entry.Any("POST /api/v1/orgs",                    "201 403 403 403 403 403 401", body: """{"name":"Org {n}","kind":"lab"}"""),
        Entry.Owned("GET /api/v1/orgs/{id:guid}",         own: "200 200 200 200 200 200 401", other: "200 404 404 404 404 404 401", missing: "404 404 404 404 404 404 401"),
        Entry.Owned("PATCH /api/v1/orgs/{id:guid}",       own: "200 403 403 403 403 403 401", other: "200 404 404 404 404 404 401", missing: "404 404 404 404 404 404 401", body: """{"name":"Renamed {n}"}""", ifMatch: true),
        Entry.Owned("GET /api/v1/orgs/{id:guid}/history", own: "200 200 200 200 200 200 401", other: "200 404 404 404 404 404 401", missing: "404 404 404 404 404 404 401"),
        Entry.Any("GET /api/v1/users",                    "200 200 200 200 200 200 401"),
        Entry.Owned("POST /api/v1/users",                 own: "201 201 201 201 201 201 401", other: "201 404 404 404 404 404 401", missing: "404 404 404 404 404 404 401", body: """{"organization":"{id}","name":"user {n}","role":"public"}"""),
    ];

    [Fact]
    public async Task Matrix_HasAnEntryForEveryRouteOfTheRouteTable_AndNoneForARouteThatIsGone()
    {
        await using var registry = await TestRegistry.CreateAsync();

        var routes = RouteTable.Of(registry.Server!);

        routes.Where(r => !Matrix.Any(e => e.Route == r.Key)).Select(r => r.ToString())
            .ShouldBeEmpty("every route needs a row in AuthorizationMatrixTests.Matrix: the status each role gets on its own, another's and a missing object");
        Matrix.Where(e => !routes.Any(r => r.Key == e.Route)).Select(e => e.Route).ShouldBeEmpty("rows for routes the server no longer maps");
        Matrix.GroupBy(e => e.Route).Where(g => g.Count() > 1).Select(g => g.Key).ShouldBeEmpty("one row per route");
    }

    [Fact]
    public async Task EveryCell_AnswersTheStatusTheMatrixDeclares()
    {
        await using var registry = await TestRegistry.CreateAsync();
        var fixture = await Fixture.CreateAsync(registry);

        var wrong = new List<string>();
        foreach (var entry in Matrix)
        {
            foreach (var (owner, row) in entry.Rows)
            {
                for (var i = 0; i < Fixture.Roles.Length; i++)
                {
                    using var response = await fixture.SendAsync(entry, Fixture.Roles[i], owner);
                    if ((int)response.StatusCode != row[i])
                    {
                        // A refusal's detail helps; a success's body may hold a new user's key, which stays out of test output.
                        var detail = (int)response.StatusCode >= 400 ? Tail(await response.Content.ReadAsStringAsync()) : "";
                        wrong.Add($"{entry.Route} as {Fixture.Roles[i]} on {owner}: expected {row[i]}, got {(int)response.StatusCode} {detail}");
                    }
                }
            }
        }

        wrong.ShouldBeEmpty();
    }

    [Fact]
    public async Task AnotherOrganizationsObject_AnswersExactlyAsAMissingOne_BodyAndHeaders()
    {
        await using var registry = await TestRegistry.CreateAsync();
        var fixture = await Fixture.CreateAsync(registry);

        var compared = 0;
        var different = new List<string>();
        foreach (var entry in Matrix.Where(e => e.Other is not null))
        {
            for (var i = 0; i < Fixture.Roles.Length; i++)
            {
                if (entry.Other![i] != 404 || entry.Missing![i] != 404)
                {
                    continue;
                }

                using var foreign = await fixture.SendAsync(entry, Fixture.Roles[i], Owner.Other);
                using var missing = await fixture.SendAsync(entry, Fixture.Roles[i], Owner.Missing);
                var foreignSeen = await SeenAsync(foreign, fixture.OtherOrganization);
                var missingSeen = await SeenAsync(missing, fixture.MissingId);
                if (foreignSeen != missingSeen)
                {
                    different.Add($"{entry.Route} as {Fixture.Roles[i]}:\n  another's: {foreignSeen}\n  missing:   {missingSeen}");
                }

                compared++;
            }
        }

        different.ShouldBeEmpty();
        compared.ShouldBeGreaterThanOrEqualTo(20, "every role but admin meets a foreign id on every owned route");
    }

    // Status, every header but Date, and the body with the id and the per-request trace id taken out.
    private static async Task<string> SeenAsync(HttpResponseMessage response, Guid id)
    {
        var headers = response.Headers.Concat(response.Content.Headers).Where(h => h.Key != "Date")
            .Select(h => $"{h.Key}: {string.Join(",", h.Value)}").Order(StringComparer.Ordinal);
        var body = await response.Content.ReadAsStringAsync();
        using var json = JsonDocument.Parse(body);
        var fields = json.RootElement.ValueKind == JsonValueKind.Object
            ? string.Join(" ", json.RootElement.EnumerateObject().Where(p => p.Name != "traceId").Select(p => $"{p.Name}={p.Value}"))
            : body;
        return $"{(int)response.StatusCode} | {string.Join(" | ", headers)} | {fields}".Replace(id.ToString("D"), "ID", StringComparison.Ordinal);
    }

    private static string Tail(string body) => body.Length <= 200 ? body : body[..200] + "…";

    internal enum Owner
    {
        /// <summary>A route with no object of an organization: lists, the caller, the open routes.</summary>
        None,
        Own,
        Other,
        Missing,
    }

    /// <summary>
    /// One route's row. <c>{id}</c> in the path or body becomes the object's id; <c>{n}</c> a number unique
    /// to the request (names must not collide); <paramref name="IfMatch"/> sends the object's current ETag.
    /// </summary>
    internal sealed record Entry(string Route, int[]? AnyOwner, int[]? Own, int[]? Other, int[]? Missing, string? Path, string? Body, bool IfMatch)
    {
        public string Method => Route[..Route.IndexOf(' ', StringComparison.Ordinal)];

        public IEnumerable<(Owner Owner, int[] Row)> Rows =>
            AnyOwner is not null ? [(Owner.None, AnyOwner)] : [(Owner.Own, Own!), (Owner.Other, Other!), (Owner.Missing, Missing!)];

        public static Entry Any(string route, string statuses, string? path = null, string? body = null) =>
            new(route, Parse(statuses), null, null, null, path, body, false);

        public static Entry Owned(string route, string own, string other, string missing, string? body = null, bool ifMatch = false) =>
            new(route, null, Parse(own), Parse(other), Parse(missing), null, body, ifMatch);

        /// <summary>The path to request: the route's pattern, with its <c>{id}</c> (any constraint) replaced.</summary>
        public string PathFor(Guid id) =>
            Path ?? System.Text.RegularExpressions.Regex.Replace(Route[(Method.Length + 1)..], @"\{id(:[^}]+)?\}", id.ToString("D"));

        private static int[] Parse(string statuses)
        {
            var row = statuses.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(int.Parse).ToArray();
            return row.Length == Fixture.Roles.Length ? row : throw new ArgumentException($"'{statuses}': expected {Fixture.Roles.Length} statuses, one per role");
        }
    }

    /// <summary>
    /// A registry with one user of each role, each in an organization of its own kind, and an organization
    /// none of them belongs to ("another organization").
    /// </summary>
    private sealed class Fixture
    {
        public static readonly string[] Roles = ["admin", "regulator", "lab", "auditor", "reporter", "public", "anonymous"];

        private readonly TestRegistry _registry;
        private readonly Dictionary<string, (string? Key, Guid Organization)> _callers;
        private int _n;

        private Fixture(TestRegistry registry, Dictionary<string, (string?, Guid)> callers, Guid other)
        {
            _registry = registry;
            _callers = callers;
            OtherOrganization = other;
        }

        public Guid OtherOrganization { get; }

        public Guid MissingId { get; } = Guid.NewGuid();

        public static async Task<Fixture> CreateAsync(TestRegistry registry)
        {
            var database = registry.Database;
            var time = registry.Time;
            var (regulator, _) = await RegistryAdmin.AddUserAsync(database, "Example Authority", OrganizationKind.Authority, "rita", Role.Regulator, time);
            var (auditor, _) = await RegistryAdmin.AddUserAsync(database, "Example Auditors", OrganizationKind.Auditor, "aldo", Role.Auditor, time);
            var (reporter, _) = await RegistryAdmin.AddUserAsync(database, "Example Research", OrganizationKind.Research, "remy", Role.Reporter, time);
            var (reader, _) = await RegistryAdmin.AddUserAsync(database, "Example Readers", OrganizationKind.Research, "pat", Role.Public, time);
            var (otherLab, _) = await RegistryAdmin.AddUserAsync(database, "Other Lab", OrganizationKind.Lab, "bob", Role.Lab, time);
            var callers = new Dictionary<string, (string?, Guid)>();
            foreach (var (role, key) in new[] { ("admin", registry.AdminKey), ("regulator", regulator), ("lab", registry.LabKey), ("auditor", auditor), ("reporter", reporter), ("public", reader) })
            {
                callers[role] = (key, await registry.OrganizationOfAsync(key));
            }

            // Anonymous has no organization: its "own" object is one it has no key for, like any other.
            var other = await registry.OrganizationOfAsync(otherLab);
            callers["anonymous"] = (null, other);
            return new Fixture(registry, callers, other);
        }

        public async Task<HttpResponseMessage> SendAsync(Entry entry, string role, Owner owner)
        {
            var (key, organization) = _callers[role];
            var id = owner switch
            {
                Owner.Own => organization,
                Owner.Other => OtherOrganization,
                Owner.Missing => MissingId,
                _ => Guid.Empty,
            };
            var n = Interlocked.Increment(ref _n).ToString(System.Globalization.CultureInfo.InvariantCulture);
            var request = new HttpRequestMessage(new HttpMethod(entry.Method), entry.PathFor(id));
            if (key is not null)
            {
                request.Headers.TryAddWithoutValidation("Authorization", "Bearer " + key);
            }

            if (entry.IfMatch)
            {
                // The object's current ETag, as its administrator reads it (a missing object has none: any will do).
                using var current = await _registry.SendAsync(HttpMethod.Get, entry.PathFor(id), _registry.AdminKey);
                request.Headers.TryAddWithoutValidation("If-Match", current.Headers.ETag?.Tag ?? "\"v1\"");
            }

            if (entry.Body is { } body)
            {
                request.Content = new StringContent(body.Replace("{id}", id.ToString("D"), StringComparison.Ordinal).Replace("{n}", n, StringComparison.Ordinal),
                    System.Text.Encoding.UTF8, "application/json");
            }

            return await _registry.Client.SendAsync(request);
        }
    }
}
