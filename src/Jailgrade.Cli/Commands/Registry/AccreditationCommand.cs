using System.CommandLine;
using System.Text.Json.Nodes;
using Jailgrade.Cli.Commands.Registry.Internal;
using Jailgrade.Cli.Hosting;
using Jailgrade.Cli.Remote;
using static Jailgrade.Cli.Remote.RemoteOutput;

namespace Jailgrade.Cli.Commands.Registry;

/// <summary><c>jailgrade accreditation</c>: an authority's accreditations of auditors on a registry server (docs/registry.md, "Accreditation").</summary>
internal static class AccreditationCommand
{
    public static readonly Column[] Columns =
    [
        new("id", a => Text(a, "id")),
        new("auditor", a => Text(a, "auditor")),
        new("scope", a => Text(a, "scope")),
        new("valid_from", a => Text(a, "validFrom")),
        new("valid_until", a => Text(a, "validUntil")),
        new("revoked", a => Text(a, "revokedAt")),
        new("version", a => Text(a, "version")),
        new("authority", a => Text(a, "authority"), Wide: true),
        new("created", a => Text(a, "createdAt"), Wide: true),
        new("revoked_reason", a => Text(a, "revokedReason"), Wide: true),
    ];

    public static Command Create(CliContext context) =>
        new("accreditation", "Accreditations of auditors by an authority on a registry server: create, list, show, revoke, history.")
        {
            CreateCreate(context), CreateList(context), CreateShow(context), CreateRevoke(context),
            RemoteList.HistoryVerb(context, "accreditation", "accreditations", "An accreditation's history: granted and revoked, with who did it.", "The accreditation's id.",
                "jailgrade accreditation history 2b7e4c9a-1d3f-4a6b-8c5e-0f2d4b6a8c13 --key-file regulator.key", "granted, revoked"),
        };

    private static VerbCommand CreateCreate(CliContext context)
    {
        var remote = new RemoteOptions();
        var auditor = new Option<string>("--auditor") { Description = "The auditor organization accredited: its id (or exact name, if you may see it).", HelpName = "org", Required = true };
        var scope = new Option<string[]>("--scope")
        {
            Description = "What it is accredited for: hazard tiers (limited, moderate, severe, catastrophic) or domains (BI, CY, ...); repeatable, or separated by commas.",
            HelpName = "item",
            Required = true,
        };
        var validFrom = new Option<string>("--valid-from") { Description = "When it takes effect (inclusive; ISO 8601 with an offset, or a date).", HelpName = "time", Required = true };
        var validUntil = new Option<string>("--valid-until") { Description = "When it ends (exclusive; after --valid-from).", HelpName = "time", Required = true };
        var command = remote.AddTo(new VerbCommand("create", "Accredit an auditor for a scope and a period, on behalf of your authority (regulators only).", """
            The granting authority is your own organization, never an option. An accreditation is never edited:
            a changed scope or period is a new accreditation, and the old one is revoked.
            """ + "\n\n" + OrgCommand.Conventions)
        {
            auditor, scope, validFrom, validUntil,
        });
        command.WithExample("jailgrade accreditation create --auditor 9e4b1d7a-2c5f-4a8e-b3d6-7f0c1e9a5b24 --scope catastrophic,WP --valid-from 2026-01-01 --valid-until 2027-01-01 --key-file regulator.key",
            "every catastrophic-tier domain and weapons, for 2026");
        command.SetAction((parseResult, cancellationToken) => remote.RunAsync(context, parseResult, "accreditation create", async client =>
        {
            var body = new JsonObject
            {
                ["auditor"] = (await OrgCommand.ResolveAsync(client, parseResult.GetValue(auditor)!, "auditor", cancellationToken)).ToString("D"),
                ["scope"] = new JsonArray([.. RemoteOptions.Values(parseResult.GetValue(scope)).Select(s => (JsonNode)s)]),
                ["validFrom"] = RemoteList.Time(parseResult.GetValue(validFrom)!, "--valid-from"),
                ["validUntil"] = RemoteList.Time(parseResult.GetValue(validUntil)!, "--valid-until"),
            };
            var answer = await client.SendAsync(HttpMethod.Post, "accreditations", body, null, cancellationToken);
            await OrgCommand.WriteAsync(context, parseResult.GetValue(remote.Json), answer.Body, () => WriteRecord(context, Columns, answer.Body));
            return (int)ExitCode.Success;
        }));
        return command;
    }

    private static VerbCommand CreateList(CliContext context)
    {
        var remote = new RemoteOptions();
        var auditor = new Option<string?>("--auditor") { Description = "Only this auditor's accreditations: its id (or exact name, if you may see it).", HelpName = "org" };
        var active = new Option<bool>("--active") { Description = "Only those in force now: within their period and not revoked." };
        var changedSince = new Option<string?>("--changed-since") { Description = "Only those granted or revoked at or after this time (ISO 8601 with an offset, or a date).", HelpName = "time" };
        var list = new RemoteList();
        var command = remote.AddTo(new VerbCommand("list", "List the accreditations you may see (a regulator its authority's; an auditor its own), oldest first.", OrgCommand.Conventions)
        {
            auditor, active, changedSince, list.Limit, list.All,
        });
        command.WithExample("jailgrade accreditation list --active --all --key-file regulator.key", "every accreditation in force now");
        command.SetAction((parseResult, cancellationToken) => remote.RunAsync(context, parseResult, "accreditation list", async client =>
        {
            var query = new List<(string, string)>();
            RemoteList.Add(query, "auditor", parseResult.GetValue(auditor) is { } a ? (await OrgCommand.ResolveAsync(client, a, "auditor", cancellationToken)).ToString("D") : null);
            RemoteList.Add(query, "active", parseResult.GetValue(active) ? "true" : null);
            RemoteList.Add(query, "changed_since", parseResult.GetValue(changedSince) is { } t ? RemoteList.Time(t, "--changed-since") : null);
            await list.WriteAsync(context, parseResult, remote, client, "accreditations", query, "accreditation list", "accreditations", Columns, cancellationToken);
            return (int)ExitCode.Success;
        }));
        return command;
    }

    private static VerbCommand CreateShow(CliContext context)
    {
        var remote = new RemoteOptions();
        var id = IdArgument();
        var command = remote.AddTo(new VerbCommand("show", "Show one accreditation.", OrgCommand.Conventions) { id });
        command.WithExample("jailgrade accreditation show 2b7e4c9a-1d3f-4a6b-8c5e-0f2d4b6a8c13 --key-file auditor.key", "an auditor reads its own");
        command.SetAction((parseResult, cancellationToken) => remote.RunAsync(context, parseResult, "accreditation show", async client =>
        {
            var answer = await client.GetAsync($"accreditations/{RemoteOptions.Id(parseResult.GetValue(id)!, "accreditation"):D}", cancellationToken);
            await OrgCommand.WriteAsync(context, parseResult.GetValue(remote.Json), answer.Body, () => WriteRecord(context, Columns, answer.Body));
            return (int)ExitCode.Success;
        }));
        return command;
    }

    private static VerbCommand CreateRevoke(CliContext context)
    {
        var remote = new RemoteOptions();
        var id = IdArgument();
        var reason = new Option<string>("--reason") { Description = "Why it is revoked (recorded in its history).", HelpName = "text", Required = true };
        var ifMatch = OrgCommand.IfMatchOption();
        var command = remote.AddTo(new VerbCommand("revoke", "Revoke an accreditation (a regulator of the authority that granted it); it stays, stamped with the time.", """
            Revocation is an event, never a delete: the accreditation keeps its history, and assessments signed
            while it was in force stay accredited. Reads it first and sends its ETag as If-Match (412: exit 13;
            --if-match sends the ETag you read earlier instead); revoking it twice exits 1.
            """ + "\n\n" + OrgCommand.Conventions)
        {
            id, reason, ifMatch,
        });
        command.WithExample("jailgrade accreditation revoke 2b7e4c9a-1d3f-4a6b-8c5e-0f2d4b6a8c13 --reason \"conflict of interest\" --key-file regulator.key", "ends it now");
        command.SetAction((parseResult, cancellationToken) => remote.RunAsync(context, parseResult, "accreditation revoke", async client =>
        {
            var accreditation = RemoteOptions.Id(parseResult.GetValue(id)!, "accreditation");
            var answer = await client.WriteAsync(HttpMethod.Post, $"accreditations/{accreditation:D}", $"accreditations/{accreditation:D}/revoke",
                new JsonObject { ["reason"] = parseResult.GetValue(reason) }, parseResult.GetValue(ifMatch), cancellationToken);
            await OrgCommand.WriteAsync(context, parseResult.GetValue(remote.Json), answer.Body, () => WriteRecord(context, Columns, answer.Body));
            return (int)ExitCode.Success;
        }));
        return command;
    }

    private static Argument<string> IdArgument() => new("id") { Description = "The accreditation's id." };
}
