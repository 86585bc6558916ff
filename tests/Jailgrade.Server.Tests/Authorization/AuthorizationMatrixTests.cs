using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Jailgrade.Registry.Access;
using Jailgrade.Registry.Administration;
using Jailgrade.Registry.Organizations;
using Jailgrade.Registry.Persistence;
using Jailgrade.Registry.Tests.Cases;
using Jailgrade.Registry.Tests.TestSupport;

namespace Jailgrade.Server.Tests.Authorization;

/// <summary>
/// Who may do what, route by route (issue 11, "Authorization"; SECURITY.md 2): for every route the
/// server maps, the exact status each role gets on its own organization's object, on another
/// organization's, and on a missing id. The routes come from the server's route table, so a route
/// without an entry here fails the suite by name. Every cell runs over real HTTP, on SQLite and on PostgreSQL
/// (each provider's run seeds one registry that all its cells share).
/// </summary>
public class AuthorizationMatrixTests
{
    private const string FileCase = """{"title":"Case {n}","authority":"{id}","labAsReported":"Example Lab","modelAsReported":"ex-1","technique":"Ask the canary to play a librarian."}""";
    private const string Triage = """{"involvements":[{"lab":"{lab}","releases":["{release}"]}],"auditors":["{auditor}"]}""";
    private const string CaseETag = "/api/v1/cases/{id}";
    private const string Accredit = """{"auditor":"{id}","scope":["catastrophic"],"validFrom":"2026-01-01T00:00:00.000Z","validUntil":"2027-01-01T00:00:00.000Z"}""";

    // Columns of every row, in this order:
    //                                                  admin regulator regulator-all lab auditor reporter public anonymous
    // "regulator" is scoped to the fixture's lab; "regulator-all" is of a third authority with the default scope, all: it
    // sees every case and may change none. "own" is the caller's organization, or the object of the fixture's parties (Of);
    // "other" the same kind of object of organizations none of the callers belongs to; "child" a nested id foreign to, or
    // missing under, an own parent.
    private static readonly Entry[] Matrix =
    [
        Entry.Any("GET /healthz",                         "200 200 200 200 200 200 200 200"),
        Entry.Any("GET /readyz",                          "200 200 200 200 200 200 200 200"),
        Entry.Any("GET /openapi/{documentName}.json",     "200 200 200 200 200 200 200 200", path: "/openapi/v1.json"),
        Entry.Any("GET /docs",                            "200 200 200 200 200 200 200 200"),
        Entry.Any("GET /docs/docs.js",                    "200 200 200 200 200 200 200 200"),
        Entry.Any("GET /docs/docs.css",                   "200 200 200 200 200 200 200 200"),
        Entry.Any("GET /api/v1/me",                       "200 200 200 200 200 200 200 401"),
        Entry.Any("POST /api/v1/score",                   "200 200 200 200 200 200 200 200", body: """{"vector":"JG:1.0/UN:U/RL:H/AC:L/AR:N/HD:CY/UP:3/BR:W/FD:H/EX:P/DP:G"}"""),
        Entry.Any("POST /api/v1/decide",                  "200 200 200 200 200 200 200 200", body: """{"policy":"us-frontier","case":{"vector":"JG:1.0/UN:U/RL:H/AC:L/AR:N/HD:CY/UP:3/BR:W/FD:H/EX:P/DP:G","reported":"2026-12-02T08:00:00Z"}}"""),
        Entry.Any("GET /api/v1/orgs",                     "200 200 200 200 200 200 200 401"),
        Entry.Any("POST /api/v1/orgs",                    "201 403 403 403 403 403 403 401", body: """{"name":"Org {n}","kind":"lab"}"""),
        Entry.Owned("GET /api/v1/orgs/{id:guid}",         own: "200 200 200 200 200 200 200 401", other: "200 404 404 404 404 404 404 401", missing: "404 404 404 404 404 404 404 401"),
        Entry.Owned("PATCH /api/v1/orgs/{id:guid}",       own: "200 403 403 403 403 403 403 401", other: "200 404 404 404 404 404 404 401", missing: "404 404 404 404 404 404 404 401", body: """{"name":"Renamed {n}"}""", ifMatch: "/api/v1/orgs/{id}"),
        Entry.Owned("GET /api/v1/orgs/{id:guid}/history", own: "200 200 200 200 200 200 200 401", other: "200 404 404 404 404 404 404 401", missing: "404 404 404 404 404 404 404 401"),
        Entry.Any("GET /api/v1/users",                    "200 200 200 200 200 200 200 401"),
        Entry.Owned("POST /api/v1/users",                 own: "201 201 201 201 201 201 201 401", other: "201 404 404 404 404 404 404 401", missing: "404 404 404 404 404 404 404 401", body: """{"organization":"{id}","name":"user {n}","role":"public"}"""),

        // Models and releases (docs/registry.md, "Models and releases"): a lab its own, the administrator and a regulator with
        // scope all every one; the scoped regulator its lab's; the auditor and the reporter those of the fixture's case (its
        // release is linked to it); the public none. One the caller sees but may not change is 403.
        Entry.Any("GET /api/v1/models",                   "200 200 200 200 200 200 200 401"),
        Entry.Owned("POST /api/v1/models",                Of.Lab,     own: "201 403 403 201 403 403 403 401", other: "201 403 403 403 403 403 403 401", missing: "422 403 403 403 403 403 403 401", body: """{"name":"m-{n}","lab":"{id}"}"""),
        Entry.Owned("GET /api/v1/models/{id:guid}",       Of.Model,   own: "200 200 200 200 200 200 404 401", other: "200 404 200 404 404 404 404 401", missing: "404 404 404 404 404 404 404 401"),
        Entry.Owned("POST /api/v1/models/{id:guid}/releases", Of.Model, own: "201 403 403 201 403 403 404 401", other: "201 404 403 404 404 404 404 401", missing: "404 404 404 404 404 404 404 401", body: """{"version":"v{n}","exposure":"G","regions":["US"]}"""),
        Entry.Any("GET /api/v1/releases",                 "200 200 200 200 200 200 200 401"),
        Entry.Owned("GET /api/v1/releases/{id:guid}",     Of.Release, own: "200 200 200 200 200 200 404 401", other: "200 404 200 404 404 404 404 401", missing: "404 404 404 404 404 404 404 401"),
        Entry.Owned("PATCH /api/v1/releases/{id:guid}",   Of.Release, own: "200 403 403 200 403 403 404 401", other: "200 404 403 404 404 404 404 401", missing: "404 404 404 404 404 404 404 401", body: """{"regions":["US","GB"]}""", ifMatch: "/api/v1/releases/{id}"),
        Entry.Owned("GET /api/v1/releases/{id:guid}/history", Of.Release, own: "200 200 200 200 200 200 404 401", other: "200 404 200 404 404 404 404 401", missing: "404 404 404 404 404 404 404 401"),

        // Cases (docs/registry.md, "Who sees which case", "Lifecycle of an involvement"): the administrator and the public see none;
        // filing names the authority ({id}); writes run on a new case per cell, read with the caller's own ETag.
        Entry.Any("GET /api/v1/cases",                    "200 200 200 200 200 200 200 401"),
        Entry.Owned("POST /api/v1/cases",                 Of.Authority, own: "403 201 201 201 201 201 403 401", other: "403 201 201 201 201 201 403 401", missing: "403 422 422 422 422 422 403 401", body: FileCase),
        Entry.Owned("GET /api/v1/cases/{id:guid}",        Of.Case, own: "404 200 200 200 200 200 404 401", other: "404 404 200 404 404 404 404 401", missing: "404 404 404 404 404 404 404 401"),
        Entry.Owned("GET /api/v1/cases/{id:guid}/history", Of.Case, own: "404 200 200 200 200 200 404 401", other: "404 404 200 404 404 404 404 401", missing: "404 404 404 404 404 404 404 401"),
        Entry.Owned("GET /api/v1/cases/{id:guid}/technique", Of.Case, own: "404 200 200 200 200 200 404 401", other: "404 404 200 404 404 404 404 401", missing: "404 404 404 404 404 404 404 401"),
        Entry.Owned("POST /api/v1/cases/{id:guid}/triage", Of.UntriagedCase, own: "404 200 403 404 404 403 404 401", other: "404 404 403 404 404 404 404 401", missing: "404 404 404 404 404 404 404 401", body: Triage, ifMatch: CaseETag),
        Entry.Owned("POST /api/v1/cases/{id:guid}/involvements/{involvementId:guid}/acknowledge", Of.TriagedCase, own: "404 403 403 200 403 403 404 401", other: "404 404 403 404 404 404 404 401", missing: "404 404 404 404 404 404 404 401", child: "404 404 404 404 404 404 404 401", ifMatch: CaseETag),
        Entry.Owned("POST /api/v1/cases/{id:guid}/involvements/{involvementId:guid}/transition", Of.TriagedCase, own: "404 403 403 200 403 403 404 401", other: "404 404 403 404 404 404 404 401", missing: "404 404 404 404 404 404 404 401", child: "404 404 404 404 404 404 404 401", body: """{"to":"mitigating"}""", ifMatch: CaseETag),
        Entry.Owned("POST /api/v1/cases/{id:guid}/reject", Of.TriagedCase, own: "404 200 403 403 403 403 404 401", other: "404 404 403 404 404 404 404 401", missing: "404 404 404 404 404 404 404 401", body: """{"reason":"not a jailbreak"}""", ifMatch: CaseETag),
        Entry.Owned("POST /api/v1/cases/{id:guid}/duplicate", Of.TriagedCase, own: "404 200 403 403 403 403 404 401", other: "404 404 403 404 404 404 404 401", missing: "404 404 404 404 404 404 404 401", body: """{"of":"{case}"}""", ifMatch: CaseETag),

        // Accreditations and authorities (docs/registry.md, "Accreditation", "Authorities and their policy"): an accreditation
        // is seen by the administrator, the granting authority's regulators and the accredited auditor; an authority by the
        // administrator and its own regulators. The body of a grant names the auditor ({id}).
        Entry.Any("GET /api/v1/accreditations",           "200 200 200 200 200 200 200 401"),
        Entry.Owned("POST /api/v1/accreditations",        Of.Auditor, own: "403 201 201 403 403 403 403 401", other: "403 201 201 403 403 403 403 401", missing: "403 422 422 403 403 403 403 401", body: Accredit),
        Entry.Owned("GET /api/v1/accreditations/{id:guid}", Of.Accreditation, own: "200 200 404 404 200 404 404 401", other: "200 404 404 404 404 404 404 401", missing: "404 404 404 404 404 404 404 401"),
        Entry.Owned("POST /api/v1/accreditations/{id:guid}/revoke", Of.NewAccreditation, own: "403 200 404 404 403 404 404 401", other: "403 404 404 404 404 404 404 401", missing: "404 404 404 404 404 404 404 401", body: """{"reason":"lapsed"}""", ifMatch: "/api/v1/accreditations/{id}"),
        Entry.Owned("GET /api/v1/accreditations/{id:guid}/history", Of.Accreditation, own: "200 200 404 404 200 404 404 401", other: "200 404 404 404 404 404 404 401", missing: "404 404 404 404 404 404 404 401"),
        Entry.Owned("GET /api/v1/authorities/{id:guid}",  Of.Authority, own: "200 200 404 404 404 404 404 401", other: "200 404 404 404 404 404 404 401", missing: "404 404 404 404 404 404 404 401"),
        Entry.Owned("PUT /api/v1/authorities/{id:guid}/policy", Of.Authority, own: "200 200 404 404 404 404 404 401", other: "200 404 404 404 404 404 404 401", missing: "404 404 404 404 404 404 404 401", body: """{"policy":"us-frontier","version":"1.0.0"}""", ifMatch: "/api/v1/authorities/{id}"),
        Entry.Owned("GET /api/v1/authorities/{id:guid}/history", Of.Authority, own: "200 200 404 404 404 404 404 401", other: "200 404 404 404 404 404 404 401", missing: "404 404 404 404 404 404 404 401"),

        // An authority's scope (docs/registry.md, "Regulator scope"): read by the administrator and its own regulators; set only
        // by the administrator (its own regulator, who sees it, 403). Last, as the fixture's scope is set again to what it is
        // (Of.Authority's own side: scoped to the fixture's lab) and the other authority's narrowed from all to that lab.
        Entry.Owned("GET /api/v1/authorities/{id:guid}/scope", Of.Authority, own: "200 200 404 404 404 404 404 401", other: "200 404 404 404 404 404 404 401", missing: "404 404 404 404 404 404 404 401"),
        Entry.Owned("PUT /api/v1/authorities/{id:guid}/scope", Of.Authority, own: "200 403 404 404 404 404 404 401", other: "200 404 404 404 404 404 404 401", missing: "404 404 404 404 404 404 404 401", body: """{"scope":[{"kind":"organization","organization":"{lab}"}]}""", ifMatch: "/api/v1/authorities/{id}/scope"),
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
        Matrix.Where(e => e.Route.Contains("{involvementId", StringComparison.Ordinal) != e.Child is not null).Select(e => e.Route)
            .ShouldBeEmpty("a route with a nested id declares the status of a foreign or missing nested id under a visible parent (child:), and only such a route");
    }

    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [PostgresData]
    public async Task EveryCell_AnswersTheStatusTheMatrixDeclares(DatabaseProvider provider)
    {
        await using var registry = await TestRegistry.CreateAsync(provider: provider);
        var fixture = await Fixture.CreateAsync(registry);

        var wrong = new List<string>();
        var cells = 0;
        foreach (var entry in Matrix)
        {
            foreach (var (owner, row) in entry.Rows)
            {
                for (var i = 0; i < Fixture.Roles.Length; i++)
                {
                    var (response, _) = await fixture.SendAsync(entry, Fixture.Roles[i], owner);
                    using (response)
                    {
                        cells++;
                        if ((int)response.StatusCode != row[i])
                        {
                            // A refusal's detail helps; a success's body may hold a new user's key, which stays out of test output.
                            var detail = (int)response.StatusCode >= 400 ? Tail(await response.Content.ReadAsStringAsync()) : "";
                            wrong.Add($"{entry.Route} as {Fixture.Roles[i]} on {owner}: expected {row[i]}, got {(int)response.StatusCode} {detail}");
                        }
                    }
                }
            }
        }

        wrong.ShouldBeEmpty();
        cells.ShouldBe(Matrix.Sum(e => e.Rows.Count()) * Fixture.Roles.Length);
    }

    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [PostgresData]
    public async Task AnotherOrganizationsObject_AnswersExactlyAsAMissingOne_BodyAndHeaders(DatabaseProvider provider)
    {
        await using var registry = await TestRegistry.CreateAsync(provider: provider);
        var fixture = await Fixture.CreateAsync(registry);

        var compared = new List<string>();
        var different = new List<string>();
        foreach (var entry in Matrix.Where(e => e.Other is not null))
        {
            // Another organization's object against a missing id; on a nested route also a foreign nested id against a
            // missing one, both under a parent the caller sees.
            List<(Owner Foreign, int[] ForeignRow, Owner Missing, int[] MissingRow)> pairs = [(Owner.Other, entry.Other!, Owner.Missing, entry.Missing!)];
            if (entry.Child is { } child)
            {
                pairs.Add((Owner.ForeignChild, child, Owner.MissingChild, child));
            }

            foreach (var (foreignOwner, foreignRow, missingOwner, missingRow) in pairs)
            {
                for (var i = 0; i < Fixture.Roles.Length; i++)
                {
                    if (foreignRow[i] != 404 || missingRow[i] != 404)
                    {
                        continue;
                    }

                    var (foreign, foreignIds) = await fixture.SendAsync(entry, Fixture.Roles[i], foreignOwner);
                    var (missing, missingIds) = await fixture.SendAsync(entry, Fixture.Roles[i], missingOwner);
                    using (foreign)
                    using (missing)
                    {
                        var foreignSeen = await SeenAsync(foreign, foreignIds);
                        var missingSeen = await SeenAsync(missing, missingIds);
                        if (foreignSeen != missingSeen)
                        {
                            different.Add($"{entry.Route} as {Fixture.Roles[i]} ({foreignOwner}):\n  foreign: {foreignSeen}\n  missing: {missingSeen}");
                        }
                    }

                    compared.Add(entry.Route);
                }
            }
        }

        different.ShouldBeEmpty();
        compared.Count.ShouldBeGreaterThanOrEqualTo(100, "every role but admin (and on case routes admin too) meets a foreign id on every owned route");
        Matrix.Where(e => e.Route.Contains("{id", StringComparison.Ordinal)).Select(e => e.Route).Except(compared)
            .ShouldBeEmpty("every route with an id on its path compares a foreign id with a missing one");
    }

    // Status, every header but Date, and a refusal's body with the ids on the path and the per-request trace id taken out.
    private static async Task<string> SeenAsync(HttpResponseMessage response, (Guid Id, Guid Child) ids)
    {
        var headers = response.Headers.Concat(response.Content.Headers).Where(h => h.Key != "Date")
            .Select(h => $"{h.Key}: {string.Join(",", h.Value)}").Order(StringComparer.Ordinal);
        var body = await response.Content.ReadAsStringAsync();
        using var json = JsonDocument.Parse(body);
        var fields = (int)response.StatusCode < 400 ? $"a success's body ({body.Length} characters; it may hold a new user's key)"
            : json.RootElement.ValueKind == JsonValueKind.Object
            ? string.Join(" ", json.RootElement.EnumerateObject().Where(p => p.Name != "traceId").Select(p => $"{p.Name}={p.Value}"))
            : body;
        return $"{(int)response.StatusCode} | {string.Join(" | ", headers)} | {fields}"
            .Replace(ids.Id.ToString("D"), "ID", StringComparison.Ordinal).Replace(ids.Child.ToString("D"), "CHILD", StringComparison.Ordinal);
    }

    private static string Tail(string body) => body.Length <= 200 ? body : body[..200] + "…";

    /// <summary>Whose object a cell asks for.</summary>
    internal enum Owner
    {
        /// <summary>A route with no object of an organization: lists, the caller, the open routes.</summary>
        None,
        Own,
        Other,
        Missing,

        /// <summary>On a nested route: the own parent, with the nested object of another organization's parent.</summary>
        ForeignChild,

        /// <summary>On a nested route: the own parent, with a nested id that names nothing.</summary>
        MissingChild,
    }

    /// <summary>What kind of object a row's <c>{id}</c> names, and so what "own" and "other" mean for it.</summary>
    internal enum Of
    {
        /// <summary>The caller's own organization; "other" is an organization none of the callers belongs to.</summary>
        CallersOrganization,

        /// <summary>The fixture's authority (the regulator's) or another authority.</summary>
        Authority,

        /// <summary>The fixture's lab organization or another lab.</summary>
        Lab,

        /// <summary>The fixture's auditor organization or another auditor.</summary>
        Auditor,

        /// <summary>A model of the fixture's lab or of another lab.</summary>
        Model,

        /// <summary>A release of the fixture's lab or of another lab.</summary>
        Release,

        /// <summary>
        /// The fixture's case (reported by the fixture's reporter, filed with its authority, triaged with an involvement of
        /// its lab and its auditor assigned) or a case of other organizations only; <c>{involvementId}</c> is its involvement.
        /// </summary>
        Case,

        /// <summary>As <see cref="Case"/>, but filed anew for the cell and not triaged.</summary>
        UntriagedCase,

        /// <summary>As <see cref="Case"/>, but filed and triaged anew for the cell, so a write in one cell never moves another.</summary>
        TriagedCase,

        /// <summary>An accreditation the fixture's authority granted its auditor, or one another authority granted another auditor.</summary>
        Accreditation,

        /// <summary>As <see cref="Accreditation"/>, but granted anew for the cell (a revocation is once only).</summary>
        NewAccreditation,
    }

    /// <summary>
    /// One route's row. <c>{id}</c> in the path or body becomes the object's id, <c>{involvementId}</c> its nested
    /// involvement; in a body <c>{n}</c> becomes a number unique to the request (names must not collide) and
    /// <c>{case}</c>, <c>{lab}</c>, <c>{release}</c>, <c>{auditor}</c> the fixture's. <paramref name="IfMatch"/>
    /// names the resource whose current ETag the caller reads for itself and sends.
    /// </summary>
    internal sealed record Entry(string Route, Of Of, int[]? AnyOwner, int[]? Own, int[]? Other, int[]? Missing, int[]? Child, string? Path, string? Body, string? IfMatch)
    {
        public string Method => Route[..Route.IndexOf(' ', StringComparison.Ordinal)];

        public IEnumerable<(Owner Owner, int[] Row)> Rows =>
            AnyOwner is not null ? [(Owner.None, AnyOwner)]
            : Child is null ? [(Owner.Own, Own!), (Owner.Other, Other!), (Owner.Missing, Missing!)]
            : [(Owner.Own, Own!), (Owner.Other, Other!), (Owner.Missing, Missing!), (Owner.ForeignChild, Child), (Owner.MissingChild, Child)];

        public static Entry Any(string route, string statuses, string? path = null, string? body = null) =>
            new(route, Of.CallersOrganization, Parse(statuses), null, null, null, null, path, body, null);

        public static Entry Owned(string route, string own, string other, string missing, string? body = null, string? ifMatch = null) =>
            Owned(route, Of.CallersOrganization, own, other, missing, null, body, ifMatch);

        public static Entry Owned(string route, Of of, string own, string other, string missing, string? child = null, string? body = null, string? ifMatch = null) =>
            new(route, of, null, Parse(own), Parse(other), Parse(missing), child is null ? null : Parse(child), null, body, ifMatch);

        /// <summary>The path to request: the route's pattern, with its <c>{id}</c> and <c>{involvementId}</c> (any constraint) replaced.</summary>
        public string PathFor((Guid Id, Guid Child) ids) => Path ?? Substitute(Route[(Method.Length + 1)..], ids);

        public static string Substitute(string pattern, (Guid Id, Guid Child) ids) =>
            Regex.Replace(Regex.Replace(pattern, @"\{id(:[^}]+)?\}", ids.Id.ToString("D")), @"\{involvementId(:[^}]+)?\}", ids.Child.ToString("D"));

        private static int[] Parse(string statuses)
        {
            var row = statuses.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(int.Parse).ToArray();
            return row.Length == Fixture.Roles.Length ? row : throw new ArgumentException($"'{statuses}': expected {Fixture.Roles.Length} statuses, one per role");
        }
    }

    /// <summary>
    /// A registry with one user of each role, each in an organization of its own kind, and two sides of objects:
    /// the fixture's (its authority, lab with a model and release, auditor and reporter, and a case among them) and
    /// the same of organizations none of the callers belongs to (another authority with its own regulator, another
    /// lab, auditor and reporter). The fixture's authority is scoped to its own lab (docs/registry.md, "Regulator
    /// scope"), so the other side's case is outside the regulator's scope as well as its authority; a third
    /// authority keeps the default scope (all), so its regulator sees both sides' cases without being of their authority.
    /// </summary>
    private sealed class Fixture
    {
        public static readonly string[] Roles = ["admin", "regulator", "regulator-all", "lab", "auditor", "reporter", "public", "anonymous"];

        private readonly TestRegistry _registry;
        private readonly Dictionary<string, (string? Key, Guid Organization)> _callers;
        private readonly Side _own;
        private readonly Side _other;
        private (Guid Id, Guid Child) _ownCase;
        private (Guid Id, Guid Child) _otherCase;
        private Guid _ownAccreditation;
        private Guid _otherAccreditation;
        private int _n;

        private Fixture(TestRegistry registry, Dictionary<string, (string?, Guid)> callers, Side own, Side other)
        {
            _registry = registry;
            _callers = callers;
            _own = own;
            _other = other;
        }

        public static async Task<Fixture> CreateAsync(TestRegistry registry)
        {
            async Task<(string Key, Guid Organization)> AddAsync(string organization, OrganizationKind kind, string name, Role role)
            {
                var (key, _) = await RegistryAdmin.AddUserAsync(registry.Database, organization, kind, name, role, registry.Time);
                return (key, await registry.OrganizationOfAsync(key));
            }

            var regulator = await AddAsync("Example Authority", OrganizationKind.Authority, "rita", Role.Regulator);
            var auditor = await AddAsync("Example Auditors", OrganizationKind.Auditor, "aldo", Role.Auditor);
            var reporter = await AddAsync("Example Research", OrganizationKind.Research, "remy", Role.Reporter);
            var reader = await AddAsync("Example Readers", OrganizationKind.Research, "pat", Role.Public);
            var otherLab = await AddAsync("Other Lab", OrganizationKind.Lab, "bob", Role.Lab);
            var otherRegulator = await AddAsync("Other Authority", OrganizationKind.Authority, "otto", Role.Regulator);
            var otherAuditor = await AddAsync("Other Auditors", OrganizationKind.Auditor, "olga", Role.Auditor);
            var otherReporter = await AddAsync("Other Research", OrganizationKind.Research, "oscar", Role.Reporter);
            var thirdRegulator = await AddAsync("Third Authority", OrganizationKind.Authority, "tess", Role.Regulator);
            var lab = await registry.OrganizationOfAsync(registry.LabKey);
            await CaseWorld.ScopeAsync(registry.Database, regulator.Organization, (ScopeKind.Organization, lab.ToString("D")));

            var callers = new Dictionary<string, (string?, Guid)>
            {
                ["admin"] = (registry.AdminKey, await registry.OrganizationOfAsync(registry.AdminKey)),
                ["regulator"] = regulator,
                ["regulator-all"] = thirdRegulator,
                ["lab"] = (registry.LabKey, lab),
                ["auditor"] = auditor,
                ["reporter"] = reporter,
                ["public"] = reader,

                // Anonymous has no organization: its "own" object is one it has no key for, like any other.
                ["anonymous"] = (null, otherLab.Organization),
            };
            var (model, release) = await ModelAsync(registry, lab, "ex-1");
            var (otherModel, otherRelease) = await ModelAsync(registry, otherLab.Organization, "ox-1");
            var fixture = new Fixture(registry, callers,
                new Side(reporter.Key, regulator.Key, regulator.Organization, lab, auditor.Organization, model, release),
                new Side(otherReporter.Key, otherRegulator.Key, otherRegulator.Organization, otherLab.Organization, otherAuditor.Organization, otherModel, otherRelease));
            fixture._ownCase = await fixture.TriagedAsync(fixture._own);
            fixture._otherCase = await fixture.TriagedAsync(fixture._other);
            fixture._ownAccreditation = await fixture.AccreditAsync(fixture._own);
            fixture._otherAccreditation = await fixture.AccreditAsync(fixture._other);
            return fixture;
        }

        /// <summary>Sends one cell's request; returns the answer and the ids it named.</summary>
        public async Task<(HttpResponseMessage Response, (Guid Id, Guid Child) Ids)> SendAsync(Entry entry, string role, Owner owner)
        {
            var (key, _) = _callers[role];
            var ids = await ObjectAsync(entry, role, owner);
            var n = Interlocked.Increment(ref _n).ToString(System.Globalization.CultureInfo.InvariantCulture);
            using var request = new HttpRequestMessage(new HttpMethod(entry.Method), entry.PathFor(ids));
            if (key is not null)
            {
                request.Headers.TryAddWithoutValidation("Authorization", "Bearer " + key);
            }

            if (entry.IfMatch is { } resource)
            {
                // The current ETag as the caller itself reads it (the projection it would change); one it cannot read has none.
                using var current = key is null ? null : await _registry.SendAsync(HttpMethod.Get, Entry.Substitute(resource, ids), key);
                request.Headers.TryAddWithoutValidation("If-Match", current?.Headers.ETag?.Tag ?? "\"v1\"");
            }

            if (entry.Body is { } body)
            {
                body = body.Replace("{id}", ids.Id.ToString("D"), StringComparison.Ordinal).Replace("{n}", n, StringComparison.Ordinal)
                    .Replace("{case}", _ownCase.Id.ToString("D"), StringComparison.Ordinal).Replace("{lab}", _own.Lab.ToString("D"), StringComparison.Ordinal)
                    .Replace("{release}", _own.Release.ToString("D"), StringComparison.Ordinal).Replace("{auditor}", _own.Auditor.ToString("D"), StringComparison.Ordinal);
                request.Content = new StringContent(body, System.Text.Encoding.UTF8, "application/json");
            }

            return (await _registry.Client.SendAsync(request), ids);
        }

        /// <summary>The ids a cell names: found or made for it, so that no cell depends on another.</summary>
        private async Task<(Guid Id, Guid Child)> ObjectAsync(Entry entry, string role, Owner owner)
        {
            if (owner is Owner.None)
            {
                return (Guid.Empty, Guid.Empty);
            }

            if (owner is Owner.Missing)
            {
                return (Guid.NewGuid(), Guid.NewGuid());
            }

            var side = owner is Owner.Other ? _other : _own;
            (Guid Id, Guid Child) ids = entry.Of switch
            {
                Of.CallersOrganization => (owner is Owner.Other ? _other.Lab : _callers[role].Organization, Guid.Empty),
                Of.Authority => (side.Authority, Guid.Empty),
                Of.Lab => (side.Lab, Guid.Empty),
                Of.Auditor => (side.Auditor, Guid.Empty),
                Of.Model => (side.Model, Guid.Empty),
                Of.Release => (side.Release, Guid.Empty),
                Of.Case => owner is Owner.Other ? _otherCase : _ownCase,
                Of.UntriagedCase => ((await FileAsync(side)).Id, Guid.Empty),
                Of.TriagedCase => await TriagedAsync(side),
                Of.Accreditation => (owner is Owner.Other ? _otherAccreditation : _ownAccreditation, Guid.Empty),
                Of.NewAccreditation => (await AccreditAsync(side), Guid.Empty),
                _ => throw new ArgumentOutOfRangeException(nameof(entry), entry.Of, "an Of the fixture does not know"),
            };
            return owner switch
            {
                Owner.ForeignChild => (ids.Id, _otherCase.Child),
                Owner.MissingChild => (ids.Id, Guid.NewGuid()),
                _ => ids,
            };
        }

        private static async Task<(Guid Model, Guid Release)> ModelAsync(TestRegistry registry, Guid lab, string name)
        {
            var model = await CreatedAsync(registry, "/api/v1/models", registry.AdminKey, JsonSerializer.Serialize(new { name, lab }));
            var release = await CreatedAsync(registry, $"/api/v1/models/{model.Id:D}/releases", registry.AdminKey, """{"version":"2026-10","exposure":"G","regions":["US"]}""");
            return (model.Id, release.Id);
        }

        private async Task<(Guid Id, string ETag)> FileAsync(Side side)
        {
            var n = Interlocked.Increment(ref _n);
            var json = JsonSerializer.Serialize(new
            {
                title = $"Case {n}", authority = side.Authority, labAsReported = "Example Lab", modelAsReported = "ex-1", technique = "Ask the canary to play a librarian.",
            });
            var (id, etag, _) = await CreatedAsync(_registry, "/api/v1/cases", side.Reporter, json);
            return (id, etag);
        }

        /// <summary>A case of <paramref name="side"/>: filed by its reporter with its authority, triaged by its regulator.</summary>
        private async Task<(Guid Id, Guid Child)> TriagedAsync(Side side)
        {
            var (id, etag) = await FileAsync(side);
            var json = JsonSerializer.Serialize(new { involvements = new[] { new { lab = side.Lab, releases = new[] { side.Release } } }, auditors = new[] { side.Auditor } });
            using var response = await _registry.SendAsync(HttpMethod.Post, $"/api/v1/cases/{id:D}/triage", side.Regulator, json, etag);
            var text = await response.Content.ReadAsStringAsync();
            response.StatusCode.ShouldBe(HttpStatusCode.OK, text);
            using var triaged = JsonDocument.Parse(text);
            return (id, triaged.RootElement.GetProperty("involvements")[0].GetProperty("id").GetGuid());
        }

        /// <summary>An accreditation of <paramref name="side"/>'s auditor, granted by its regulator.</summary>
        private async Task<Guid> AccreditAsync(Side side) =>
            (await CreatedAsync(_registry, "/api/v1/accreditations", side.Regulator, Accredit.Replace("{id}", side.Auditor.ToString("D"), StringComparison.Ordinal))).Id;

        private static async Task<(Guid Id, string ETag, JsonElement Body)> CreatedAsync(TestRegistry registry, string path, string key, string json)
        {
            using var response = await registry.SendAsync(HttpMethod.Post, path, key, json);
            var text = await response.Content.ReadAsStringAsync();
            response.StatusCode.ShouldBe(HttpStatusCode.Created, text);
            using var body = JsonDocument.Parse(text);
            return (body.RootElement.GetProperty("id").GetGuid(), response.Headers.ETag!.Tag, body.RootElement.Clone());
        }

        /// <summary>One side's parties and objects.</summary>
        private sealed record Side(string Reporter, string Regulator, Guid Authority, Guid Lab, Guid Auditor, Guid Model, Guid Release);
    }
}
