using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Nodes;
using Jailgrade.Cli.Hosting;
using Jailgrade.Cli.Remote;
using static Jailgrade.Cli.Remote.RemoteOutput;

namespace Jailgrade.Cli.Commands.Registry;

/// <summary><c>jailgrade authority</c>: an authority's configuration on a registry server, through its API (docs/registry.md, "Regulator scope").</summary>
internal static class AuthorityCommand
{
    /// <summary>One row of a scope: its kind and its value (a lab's id, a country code, nothing for all).</summary>
    private static readonly Column[] ScopeColumns =
    [
        new("kind", r => Text(r, "kind")),
        new("value", r => Text(r, "organization") is { Length: > 0 } lab ? lab : Text(r, "jurisdiction")),
    ];

    public static Command Create(CliContext context) =>
        new("authority", "Authorities on a registry server: the scope of their regulators.")
        {
            new Command("scope", "The labs and jurisdictions an authority's regulators see: show, set.")
            {
                CreateShow(context), CreateSet(context),
            },
        };

    private static VerbCommand CreateShow(CliContext context)
    {
        var remote = new RemoteOptions();
        var authority = AuthorityArgument();
        var command = remote.AddTo(new VerbCommand("show", "Show an authority's scope, one row per line (an administrator, or the authority's own regulators).", """
            A scope is 'all' (every case, model and release), or rows of kind 'organization' (a lab, by id) and
            'jurisdiction' (an ISO 3166-1 alpha-2 code: the releases offered there). Piped, each line also
            carries the authority and the scope's ETag, which 'scope set --if-match' takes.
            """ + "\n\n" + OrgCommand.Conventions) { authority });
        command.WithExample("jailgrade authority scope show \"Example Authority\" --key-file admin.key", "by name (or by id)");
        command.SetAction((parseResult, cancellationToken) => remote.RunAsync(context, parseResult, "authority scope show", async client =>
        {
            var id = await OrgCommand.ResolveAsync(client, parseResult.GetValue(authority)!, "authority", cancellationToken);
            var answer = await client.GetAsync($"authorities/{id:D}/scope", cancellationToken);
            await WriteScopeAsync(context, parseResult.GetValue(remote.Json), answer);
            return (int)ExitCode.Success;
        }));
        return command;
    }

    private static VerbCommand CreateSet(CliContext context)
    {
        var remote = new RemoteOptions();
        var authority = AuthorityArgument();
        var all = new Option<bool>("--all") { Description = "Scope all: every case, model and release (alone: not with --lab or --jurisdiction)." };
        var labs = new Option<string[]>("--lab")
        {
            Description = "A lab in the scope: its id, or its exact name; repeatable.",
            HelpName = "org",
            AllowMultipleArgumentsPerToken = true,
        };
        var jurisdictions = new Option<string[]>("--jurisdiction")
        {
            Description = "An ISO 3166-1 alpha-2 code (upper case, e.g. GB) in the scope; repeatable.",
            HelpName = "code",
            AllowMultipleArgumentsPerToken = true,
        };
        var ifMatch = OrgCommand.IfMatchOption();
        var command = remote.AddTo(new VerbCommand("set", "Replace an authority's scope (administrators only).", """
            The scope is replaced whole: give --all, or one or more --lab and --jurisdiction. A regulator cannot
            set its own authority's scope (it would widen its own view). Reads the scope first and sends its
            ETag as If-Match, so a change made in between is never overwritten: the server answers 412 and this
            exits 13 (read it again and retry). --if-match sends the ETag you read earlier instead.
            """ + "\n\n" + OrgCommand.Conventions) { authority, all, labs, jurisdictions, ifMatch });
        command.Validators.Add(result =>
        {
            var (isAll, anyRow) = (result.GetValue(all), (result.GetValue(labs)?.Length ?? 0) + (result.GetValue(jurisdictions)?.Length ?? 0) > 0);
            if (isAll == anyRow)
            {
                result.AddError(isAll ? "--all cannot be combined with --lab or --jurisdiction." : "Give the new scope: --all, or one or more --lab or --jurisdiction.");
            }
        });
        command.WithExample("jailgrade authority scope set \"Example Authority\" --lab \"Example Lab\" --jurisdiction GB --key-file admin.key", "a lab's cases, and those of releases offered in GB")
            .WithExample("jailgrade authority scope set \"Example Authority\" --all --if-match '\"v2\"' --key-file admin.key", "scope all, only if the scope is still version 2 (exit 13 otherwise)");
        command.SetAction((parseResult, cancellationToken) => remote.RunAsync(context, parseResult, "authority scope set", async client =>
        {
            var id = await OrgCommand.ResolveAsync(client, parseResult.GetValue(authority)!, "authority", cancellationToken);
            var rows = new JsonArray();
            if (parseResult.GetValue(all))
            {
                rows.Add(new JsonObject { ["kind"] = "all" });
            }

            foreach (var lab in parseResult.GetValue(labs) ?? [])
            {
                rows.Add(new JsonObject { ["kind"] = "organization", ["organization"] = (await OrgCommand.ResolveAsync(client, lab, "lab", cancellationToken)).ToString("D") });
            }

            foreach (var code in parseResult.GetValue(jurisdictions) ?? [])
            {
                rows.Add(new JsonObject { ["kind"] = "jurisdiction", ["jurisdiction"] = code });
            }

            var etag = parseResult.GetValue(ifMatch) ?? (await client.GetAsync($"authorities/{id:D}/scope", cancellationToken)).ETag;
            var answer = await client.SendAsync(HttpMethod.Put, $"authorities/{id:D}/scope", new JsonObject { ["scope"] = rows }, etag, cancellationToken);
            await WriteScopeAsync(context, parseResult.GetValue(remote.Json), answer);
            return (int)ExitCode.Success;
        }));
        return command;
    }

    /// <summary>The server's JSON with --json; else one row per scope row (TSV adds the authority and the ETag to each).</summary>
    private static async Task WriteScopeAsync(CliContext context, bool json, ApiAnswer answer)
    {
        var authority = Text(answer.Body, "authority");
        Column[] columns = [new("authority", _ => authority, Wide: true), .. ScopeColumns, new("etag", _ => answer.ETag ?? "", Wide: true)];
        IEnumerable<JsonElement> rows = answer.Body.TryGetProperty("scope", out var scope) && scope.ValueKind == JsonValueKind.Array ? [.. scope.EnumerateArray()] : [];
        await OrgCommand.WriteAsync(context, json, answer.Body, () => WriteRows(context, columns, rows));
    }

    private static Argument<string> AuthorityArgument() => new("authority") { Description = "The authority: its organization id, or its exact name." };
}
