using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Jailgrade.Registry.Persistence;
using Jailgrade.Registry.Tests.TestSupport;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Jailgrade.Server.Tests.Security;

/// <summary>
/// SECURITY.md 7: a whole scenario at Trace level, with refusals and a server error forced, and
/// nothing secret anywhere in what the server logged, in any of the forms a secret leaks in; on
/// SQLite and on PostgreSQL, where the database passwords are secrets too.
/// </summary>
public class LogScanTests
{
    private const string Canary = "JG-LOGSCAN-CANARY-6c1f0e";

    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [PostgresData]
    public async Task FullScenarioAtTraceLevel_WithErrorsForced_LogsNoSecretInAnyForm(DatabaseProvider provider)
    {
        await using var registry = await TestRegistry.CreateAsync(start: false, provider: provider);
        using var logs = new CapturedLogs();
        var server = await RegistryServer.StartAsync(new RegistryServerOptions
        {
            Database = registry.Database,
            MasterKeyPath = registry.MasterKeyPath,
            Port = 0,
            LogToConsole = false,
            ConfigureLogging = logs.Configure,
        }, registry.Time);
        registry.Client.BaseAddress = server.BaseAddress;
        var secrets = new List<(string What, string Value)>
        {
            ("admin key", registry.AdminKey),
            ("lab key", registry.LabKey),
            ("payload canary", Canary),
        };
        if (provider == DatabaseProvider.PostgreSql)
        {
            // The passwords the test was given, and the ones in the connection strings the server really holds.
            secrets.Add(("database password (owner role)", PostgresSettings.OwnerPassword!));
            secrets.Add(("database password (app role)", PostgresSettings.AppPassword!));
            secrets.Add(("the server's connection string's password", new NpgsqlConnectionStringBuilder(registry.Database.ConnectionString).Password!));
            secrets.Add(("the migration connection string's password", new NpgsqlConnectionStringBuilder(registry.Database.MigrationConnectionString).Password!));
            secrets.ShouldAllBe(s => s.Value.Length >= 8, "a database password too short to search for without false alarms");
        }

        try
        {
            // Signed-in work: an organization, a user with a new key, that key in use.
            using var org = await registry.SendAsync(HttpMethod.Post, "/api/v1/orgs", registry.AdminKey, """{"name":"Log Scan Lab","kind":"lab"}""");
            org.StatusCode.ShouldBe(HttpStatusCode.Created);
            var orgId = JsonDocument.Parse(await org.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetString()!;
            using var user = await registry.SendAsync(HttpMethod.Post, "/api/v1/users", registry.AdminKey, $$"""{"organization":"{{orgId}}","name":"carol","role":"lab"}""");
            user.StatusCode.ShouldBe(HttpStatusCode.Created);
            var newKey = JsonDocument.Parse(await user.Content.ReadAsStringAsync()).RootElement.GetProperty("apiKey").GetString()!;
            secrets.Add(("key created through the API", newKey));
            (await registry.SendAsync(HttpMethod.Get, "/api/v1/me", newKey)).StatusCode.ShouldBe(HttpStatusCode.OK);

            // A case filed with the canary as its technique (a payload), read back by its reporter, and refused to another lab.
            using var authority = await registry.SendAsync(HttpMethod.Post, "/api/v1/orgs", registry.AdminKey, """{"name":"Log Scan Authority","kind":"authority"}""");
            authority.StatusCode.ShouldBe(HttpStatusCode.Created);
            var authorityId = JsonDocument.Parse(await authority.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetString()!;
            using var filed = await registry.SendAsync(HttpMethod.Post, "/api/v1/cases", registry.LabKey,
                $$"""{"title":"Log scan case","authority":"{{authorityId}}","labAsReported":"a lab","modelAsReported":"a model","technique":"{{Canary}} technique"}""");
            filed.StatusCode.ShouldBe(HttpStatusCode.Created);
            var caseId = JsonDocument.Parse(await filed.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetString()!;
            using var technique = await registry.SendAsync(HttpMethod.Get, $"/api/v1/cases/{caseId}/technique", registry.LabKey);
            (await technique.Content.ReadAsStringAsync()).ShouldContain(Canary);
            (await registry.SendAsync(HttpMethod.Get, $"/api/v1/cases/{caseId}/technique", newKey)).StatusCode.ShouldBe(HttpStatusCode.NotFound);

            // Refused credentials: a wrong secret for a real id, an unknown id, a token that is not a key.
            var wrongSecret = registry.LabKey[..^4] + (registry.LabKey.EndsWith("AAAA", StringComparison.Ordinal) ? "BBBB" : "AAAA");
            secrets.Add(("wrong secret for a real key id", wrongSecret));
            var unknownId = "jg_live_0123456789abcdef_" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
            secrets.Add(("key with an unknown id", unknownId));
            var token = "eyJhbGciOiJSUzI1NiJ9." + Convert.ToBase64String(Encoding.UTF8.GetBytes($$"""{"sub":"{{Canary}}-token"}""")).TrimEnd('=') + ".c2lnbmF0dXJlLXNlZ21lbnQtc2VjcmV0";
            secrets.Add(("bearer token", token));
            secrets.Add(("token signature segment", "c2lnbmF0dXJlLXNlZ21lbnQtc2VjcmV0"));
            foreach (var refused in new[] { wrongSecret, unknownId, token })
            {
                (await registry.SendAsync(HttpMethod.Get, "/api/v1/me", refused)).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
            }

            // Refused bodies, each carrying the canary: malformed, invalid, oversized, on open and signed-in routes.
            (await registry.SendAsync(HttpMethod.Post, "/api/v1/orgs", registry.AdminKey, $$"""{"name":"{{Canary}}", """)).StatusCode.ShouldBe(HttpStatusCode.BadRequest);
            (await registry.SendAsync(HttpMethod.Post, "/api/v1/users", registry.AdminKey, $$"""{"organization":"{{orgId}}","name":"dave","role":"{{Canary}}"}""")).StatusCode.ShouldBe(HttpStatusCode.UnprocessableEntity);
            (await registry.SendAsync(HttpMethod.Post, "/api/v1/score", registry.LabKey, $$"""{"vector":"{{new string('x', 70_000)}}{{Canary}}"}""")).StatusCode.ShouldBe(HttpStatusCode.RequestEntityTooLarge);
            (await registry.SendAsync(HttpMethod.Post, "/api/v1/score", registry.LabKey, $$"""{"vector":"JG:1.0/{{Canary}}"}""")).StatusCode.ShouldBe(HttpStatusCode.UnprocessableEntity);
            (await registry.SendAsync(HttpMethod.Patch, $"/api/v1/orgs/{orgId}", registry.AdminKey, $$"""{"name":"{{Canary}}"}""", ifMatch: "\"v999\"")).StatusCode.ShouldBe(HttpStatusCode.PreconditionFailed);

            // A server error: the organizations table vanishes under the running server (renamed by the role that owns it).
            await using (var owner = registry.Database.OpenConnection(migration: true))
            {
                await using var rename = owner.CreateCommand();
                rename.CommandText = "ALTER TABLE organizations RENAME TO organizations_gone";
                await rename.ExecuteNonQueryAsync();
            }

            (await registry.SendAsync(HttpMethod.Get, "/api/v1/orgs", registry.AdminKey)).StatusCode.ShouldBe(HttpStatusCode.InternalServerError);
        }
        finally
        {
            await server.DisposeAsync();
        }

        // The capture really saw the run: many entries, the requests, and the forced error with its exception.
        logs.Entries.Count.ShouldBeGreaterThan(100);
        logs.Entries.ShouldContain(e => e.Level == LogLevel.Error && e.Text.Contains("organizations", StringComparison.Ordinal));
        logs.All.ShouldContain("/api/v1/me");

        var masterKey = File.ReadAllText(registry.MasterKeyPath).Trim().Split(' ')[2];
        secrets.Add(("master key", masterKey));
        var forms = secrets.SelectMany(Forms).Concat(MasterKeyForms(Convert.FromBase64String(masterKey))).ToList();
        var leaks = forms.Where(f => logs.All.Contains(f.Form, StringComparison.Ordinal)).Select(f => $"{f.What} as {f.How}").Distinct().ToList();
        leaks.ShouldBeEmpty();
    }

    /// <summary>A secret as text, JSON-escaped, base64, base64url and hex; for a key, its secret part and its stored hash as well.</summary>
    private static IEnumerable<(string What, string How, string Form)> Forms((string What, string Value) secret)
    {
        foreach (var (how, form) in TextForms(secret.Value))
        {
            yield return (secret.What, how, form);
        }

        if (secret.Value.StartsWith("jg_", StringComparison.Ordinal) && secret.Value.Split('_', 4) is [_, _, _, var part])
        {
            foreach (var (how, form) in TextForms(part))
            {
                yield return (secret.What, "secret part " + how, form);
            }

            foreach (var (how, form) in ByteForms(SHA256.HashData(Encoding.ASCII.GetBytes(part))))
            {
                yield return (secret.What, "SHA-256 of the secret " + how, form);
            }
        }
    }

    private static IEnumerable<(string What, string How, string Form)> MasterKeyForms(byte[] key) =>
        ByteForms(key).Select(f => ("master key bytes", f.How, f.Form));

    private static IEnumerable<(string How, string Form)> TextForms(string text)
    {
        yield return ("plain", text);
        yield return ("JSON-escaped", JsonSerializer.Serialize(text)[1..^1]);
        foreach (var form in ByteForms(Encoding.UTF8.GetBytes(text)))
        {
            yield return form;
        }
    }

    private static IEnumerable<(string How, string Form)> ByteForms(byte[] bytes)
    {
        var base64 = Convert.ToBase64String(bytes);
        yield return ("base64", base64.TrimEnd('='));
        yield return ("base64url", base64.TrimEnd('=').Replace('+', '-').Replace('/', '_'));
        yield return ("hex", Convert.ToHexStringLower(bytes));
        yield return ("HEX", Convert.ToHexString(bytes));
    }
}
