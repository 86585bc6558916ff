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

/// <summary>
/// <c>jailgrade users list</c> and <c>users create</c>: users through a registry server's API, beside
/// <c>users add</c>, which works on the database directly.
/// </summary>
internal static class UsersRemoteVerbs
{
    public static VerbCommand CreateList(CliContext context)
    {
        var remote = new RemoteOptions();
        var org = new Option<string?>("--org") { Description = "Only the users of this organization: its id, or its exact name.", HelpName = "org" };
        var role = new Option<string?>("--role") { Description = $"Only users with this role: {string.Join(", ", LowerCaseEnumNames<Role>.All)}.", HelpName = "role" };
        var list = new RemoteList();
        var command = remote.AddTo(new VerbCommand("list", "List the users of the organizations you may see, oldest first, from a registry server.", OrgCommand.Conventions)
        {
            org, role, list.Limit, list.All,
        });
        command.WithExample("jailgrade users list --key-file admin.key --all", "everyone, as the administrator; a lab user sees its own organization's users")
            .WithExample("jailgrade users list --org \"Example Lab\" --role lab --key-file admin.key", "the lab users of one organization");
        command.SetAction((parseResult, cancellationToken) => remote.RunAsync(context, parseResult, "users list", async client =>
        {
            var query = new List<(string, string)>();
            RemoteList.Add(query, "organization", parseResult.GetValue(org) is { } o ? (await OrgCommand.ResolveAsync(client, o, "organization", cancellationToken)).ToString("D") : null);
            RemoteList.Add(query, "role", parseResult.GetValue(role));
            // The table names each user's organization: every organization the caller sees, read before the users.
            var organizations = parseResult.GetValue(remote.Json)
                ? []
                : (await RemoteList.EveryAsync(client, "orgs", "organizations", cancellationToken)).ToDictionary(o => Text(o, "id"), o => Text(o, "name"), StringComparer.Ordinal);
            await list.WriteAsync(context, parseResult, remote, client, "users", query, "users list", "users", Columns(organizations), cancellationToken);
            return (int)ExitCode.Success;
        }));
        return command;
    }

    public static VerbCommand CreateCreate(CliContext context)
    {
        var remote = new RemoteOptions();
        var org = new Option<string>("--org") { Description = "The user's organization: its id, or its exact name.", HelpName = "org", Required = true };
        var role = new Option<string>("--role") { Description = $"The user's role: {string.Join(", ", LowerCaseEnumNames<Role>.All)}; at most your own.", HelpName = "role", Required = true };
        var name = new Option<string>("--name") { Description = "The user's name, unique in the organization.", Required = true };
        var keyOut = new Option<string>("--key-out") { Description = "New file (mode 600) for the user's API key; never written over another.", HelpName = "path", Required = true };
        var command = remote.AddTo(new VerbCommand("create", "Create a user and its API key through a registry server.", """
            The server's way to add a user (beside 'users add', which works on the database directly): an
            administrator adds users to any organization, anyone else to their own, with a role at or below
            their own. The new key is shown once: it goes to a new file only you may read, never to the screen
            or a pipe (the output names it jg_live_<id>, its public part).
            """ + "\n\n" + OrgCommand.Conventions)
        {
            org, role, name, keyOut,
        });
        command.WithExample("jailgrade users create --org \"Example Lab\" --role lab --name bob --key-out bob.key --key-file admin.key", "a second user for the lab");
        command.SetAction((parseResult, cancellationToken) => remote.RunAsync(context, parseResult, "users create", async client =>
        {
            var path = parseResult.GetValue(keyOut)!;
            if (File.Exists(path))
            {
                throw new RemoteException(ExitCode.UsageError, $"--key-out {path} exists; name a new file (an API key is never written over another)");
            }

            var organization = await OrgCommand.ResolveAsync(client, parseResult.GetValue(org)!, "organization", cancellationToken);
            var body = new JsonObject { ["organization"] = organization.ToString("D"), ["name"] = parseResult.GetValue(name), ["role"] = parseResult.GetValue(role) };
            ApiAnswer answer;
            // The file exists, owner-only, before the key does: a key the server made is never lost for want of a place.
            await using (var file = RegistrySupport.NewKeyFile(path))
            {
                try
                {
                    answer = await client.SendAsync(HttpMethod.Post, "users", body, null, cancellationToken);
                }
                catch
                {
                    await file.DisposeAsync();
                    File.Delete(path);
                    throw;
                }

                await file.WriteAsync(System.Text.Encoding.ASCII.GetBytes(Text(answer.Body, "apiKey") + "\n"), cancellationToken);
                await file.FlushAsync(cancellationToken);
            }

            await context.Error.WriteLineAsync($"API key {TerminalText.Escape(Text(answer.Body, "keyId"))} written to {path} (mode 600); it is shown once and stored only as a hash.");
            var shown = JsonNode.Parse(answer.Body.GetRawText())!.AsObject();
            shown.Remove("apiKey");
            var withoutKey = JsonSerializer.Deserialize<JsonElement>(shown.ToJsonString());
            if (parseResult.GetValue(remote.Json))
            {
                await WriteJsonAsync(context, withoutKey);
            }
            else
            {
                WriteRecord(context, [.. Columns(new Dictionary<string, string>()).Where(c => !c.Wide), new Column("key", u => Text(u, "keyId"))], withoutKey);
            }

            return (int)ExitCode.Success;
        }));
        return command;
    }

    private static Column[] Columns(Dictionary<string, string> organizations) =>
    [
        new("id", u => Text(u, "id")),
        new("name", u => Text(u, "name")),
        new("role", u => Text(u, "role")),
        new("organization", u => organizations.TryGetValue(Text(u, "organization"), out var named) ? named : Text(u, "organization")),
        new("organization_id", u => Text(u, "organization"), Wide: true),
    ];
}
