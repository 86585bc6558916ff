using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Nodes;
using Jailgrade.Cli.Commands.Registry.Internal;
using Jailgrade.Cli.Hosting;
using Jailgrade.Cli.Remote;
using Jailgrade.Registry.Internal;
using Jailgrade.Registry.Organizations;
using static Jailgrade.Cli.Remote.RemoteOutput;

namespace Jailgrade.Cli.Commands.Registry;

/// <summary><c>jailgrade org</c>: organizations on a registry server, through its API.</summary>
internal static class OrgCommand
{
    public static readonly Column[] Columns =
    [
        new("id", o => Text(o, "id")),
        new("name", o => Text(o, "name")),
        new("kind", o => Text(o, "kind")),
        new("version", o => Text(o, "version")),
    ];

    /// <summary>The columns of an object's history (organizations and cases alike).</summary>
    public static readonly Column[] HistoryColumns =
    [
        new("seq", e => Text(e, "seq")),
        new("time", e => Text(e, "time")),
        new("type", e => Text(e, "type")),
        new("object", e => e.TryGetProperty("object", out var o) ? $"{Text(o, "kind")} {Text(o, "id")}" : "", Wide: true),
        new("actor", e => e.TryGetProperty("body", out var b) && b.ValueKind == JsonValueKind.Object && b.TryGetProperty("actor", out var a)
            ? $"{Text(a, "user")} of {Text(a, "organization")}" : "", Wide: true),
        new("changes", e => e.TryGetProperty("body", out var b) ? Changes(b) : ""),
    ];

    public static Command Create(CliContext context) =>
        new("org", "Organizations on a registry server: list, show, create, rename, history.")
        {
            CreateList(context), CreateShow(context), CreateCreate(context), CreateRename(context), CreateHistory(context),
        };

    private static VerbCommand CreateList(CliContext context)
    {
        var remote = new RemoteOptions();
        var kind = new Option<string?>("--kind") { Description = $"Only organizations of this kind: {string.Join(", ", LowerCaseEnumNames<OrganizationKind>.All)}.", HelpName = "kind" };
        var changedSince = new Option<string?>("--changed-since") { Description = "Only organizations changed at or after this time (ISO 8601 with an offset, or a date).", HelpName = "time" };
        var list = new RemoteList();
        var command = remote.AddTo(new VerbCommand("list", "List the organizations you may see (an administrator sees all, anyone else their own), oldest first.", Conventions)
        {
            kind, changedSince, list.Limit, list.All,
        });
        command.WithExample("jailgrade org list --key-file admin.key --all", "every organization, as the registry's administrator")
            .WithExample("jailgrade org list --key-file admin.key --kind lab --all | cut -f2", "piped: TSV under a header; here the labs' names")
            .WithExample("jailgrade org list --key-file alice.key --server https://registry.example.org", "your own organization");
        command.SetAction((parseResult, cancellationToken) => remote.RunAsync(context, parseResult, "org list", async client =>
        {
            var query = new List<(string, string)>();
            RemoteList.Add(query, "kind", parseResult.GetValue(kind));
            RemoteList.Add(query, "changed_since", parseResult.GetValue(changedSince) is { } t ? RemoteList.Time(t, "--changed-since") : null);
            await list.WriteAsync(context, parseResult, remote, client, "orgs", query, "org list", "organizations", Columns, cancellationToken);
            return (int)ExitCode.Success;
        }));
        return command;
    }

    private static VerbCommand CreateShow(CliContext context)
    {
        var remote = new RemoteOptions();
        var org = OrgArgument();
        var command = remote.AddTo(new VerbCommand("show", "Show one organization.", Conventions) { org });
        command.WithExample("jailgrade org show \"Example Lab\" --key-file admin.key", "by name (or by id)");
        command.SetAction((parseResult, cancellationToken) => remote.RunAsync(context, parseResult, "org show", async client =>
        {
            var id = await ResolveAsync(client, parseResult.GetValue(org)!, "organization", cancellationToken);
            var answer = await client.GetAsync($"orgs/{id:D}", cancellationToken);
            await WriteAsync(context, parseResult.GetValue(remote.Json), answer.Body, () => WriteRecord(context, Columns, answer.Body));
            return (int)ExitCode.Success;
        }));
        return command;
    }

    private static VerbCommand CreateCreate(CliContext context)
    {
        var remote = new RemoteOptions();
        var name = new Option<string>("--name") { Description = "The organization's name, unique in the registry.", Required = true };
        var kind = new Option<string>("--kind") { Description = $"Its kind: {string.Join(", ", LowerCaseEnumNames<OrganizationKind>.All)}.", HelpName = "kind", Required = true };
        var command = remote.AddTo(new VerbCommand("create", "Create an organization (administrators only).", Conventions) { name, kind });
        command.WithExample("jailgrade org create --name \"Example Lab\" --kind lab --key-file admin.key", "a lab; then 'users create' gives it its first user");
        command.SetAction((parseResult, cancellationToken) => remote.RunAsync(context, parseResult, "org create", async client =>
        {
            var body = new JsonObject { ["name"] = parseResult.GetValue(name), ["kind"] = parseResult.GetValue(kind) };
            var answer = await client.SendAsync(HttpMethod.Post, "orgs", body, null, cancellationToken);
            await WriteAsync(context, parseResult.GetValue(remote.Json), answer.Body, () => WriteRecord(context, Columns, answer.Body));
            return (int)ExitCode.Success;
        }));
        return command;
    }

    private static VerbCommand CreateRename(CliContext context)
    {
        var remote = new RemoteOptions();
        var org = OrgArgument();
        var name = new Option<string>("--name") { Description = "The new name.", Required = true };
        var ifMatch = IfMatchOption();
        var command = remote.AddTo(new VerbCommand("rename", "Rename an organization (administrators only).", """
            Reads the organization first and sends its ETag as If-Match, so a rename never overwrites a change
            made in between: if someone changed it first, the server answers 412 and this exits 13 (read it again
            and retry). --if-match sends the ETag you read earlier instead.
            """ + "\n\n" + Conventions) { org, name, ifMatch });
        command.WithExample("jailgrade org rename \"Example Lab\" --name \"Example Lab Ltd\" --key-file admin.key", "reads it, then renames that version")
            .WithExample("jailgrade org rename 0b5c2f7e-7a1d-4c3e-9f6b-2d8e4a1c5b90 --name \"Example Lab Ltd\" --if-match '\"v2\"' --key-file admin.key", "only if it is still version 2 (exit 13 otherwise)");
        command.SetAction((parseResult, cancellationToken) => remote.RunAsync(context, parseResult, "org rename", async client =>
        {
            var id = await ResolveAsync(client, parseResult.GetValue(org)!, "organization", cancellationToken);
            var answer = await client.WriteAsync(HttpMethod.Patch, $"orgs/{id:D}", $"orgs/{id:D}", new JsonObject { ["name"] = parseResult.GetValue(name) }, parseResult.GetValue(ifMatch), cancellationToken);
            await WriteAsync(context, parseResult.GetValue(remote.Json), answer.Body, () => WriteRecord(context, Columns, answer.Body));
            return (int)ExitCode.Success;
        }));
        return command;
    }

    private static VerbCommand CreateHistory(CliContext context)
    {
        var remote = new RemoteOptions();
        var org = OrgArgument();
        var list = new RemoteList();
        var command = remote.AddTo(new VerbCommand("history", "An organization's history: every change, in order, with who made it.", Conventions) { org, list.Limit, list.All });
        command.WithExample("jailgrade org history \"Example Lab\" --all --key-file admin.key", "created, renamed, ...");
        command.SetAction((parseResult, cancellationToken) => remote.RunAsync(context, parseResult, "org history", async client =>
        {
            var id = await ResolveAsync(client, parseResult.GetValue(org)!, "organization", cancellationToken);
            await list.WriteAsync(context, parseResult, remote, client, $"orgs/{id:D}/history", [], "org history", "events", HistoryColumns, cancellationToken);
            return (int)ExitCode.Success;
        }));
        return command;
    }

    /// <summary>What every remote verb's help says about its output and exit codes.</summary>
    public const string Conventions = """
        Output: a table on a terminal, TSV under a header line when piped, the server's JSON with --json.
        Text from the server is printed with control characters escaped (\n, \t, \u001b). Exit 10 when the
        server cannot be reached, 11 when it refuses the key, 12 when the object does not exist or is not
        yours to see, 13 when a write met a newer version, 1 when the server refuses a value (it says which).
        """;

    public static Option<string?> IfMatchOption() => new("--if-match")
    {
        Description = "The ETag to send as If-Match (default: the one read just before the write).",
        HelpName = "etag",
    };

    /// <summary>Prints the server's JSON with --json, else what <paramref name="human"/> writes.</summary>
    public static async Task WriteAsync(CliContext context, bool json, JsonElement body, Action human)
    {
        if (json)
        {
            await WriteJsonAsync(context, body);
        }
        else
        {
            human();
        }
    }

    /// <summary>
    /// An organization named on the command line: its id as given, or the id of the one organization
    /// you may see with exactly that name.
    /// </summary>
    public static async Task<Guid> ResolveAsync(RegistryClient client, string text, string what, CancellationToken cancellationToken)
    {
        if (Guid.TryParse(text, out var id))
        {
            return id;
        }

        var named = (await RemoteList.EveryAsync(client, "orgs", "organizations", cancellationToken)).Where(o => Text(o, "name") == text).ToList();
        return named.Count == 1 && Guid.TryParse(Text(named[0], "id"), out var found)
            ? found
            : throw new RemoteException(ExitCode.NotFound, $"no {what} named '{TerminalText.Escape(text)}' among those you may see (give its id, or its exact name)");
    }

    private static Argument<string> OrgArgument() => new("org") { Description = "The organization: its id, or its exact name." };
}
