using System.CommandLine;
using System.Text.Json.Nodes;
using Jailgrade.Cli.Commands.Registry.Internal;
using Jailgrade.Cli.Hosting;
using Jailgrade.Cli.Remote;
using static Jailgrade.Cli.Remote.RemoteOutput;

namespace Jailgrade.Cli.Commands.Registry;

/// <summary><c>jailgrade model</c>: a lab's models on a registry server (docs/registry.md, "Models and releases").</summary>
internal static class ModelCommand
{
    public static readonly Column[] Columns =
    [
        new("id", m => Text(m, "id")),
        new("name", m => Text(m, "name")),
        new("lab", m => Text(m, "lab")),
        new("created", m => Text(m, "createdAt")),
        new("revision", m => Text(m, "revision")),
    ];

    public static Command Create(CliContext context) =>
        new("model", "A lab's models on a registry server: create, list, show.")
        {
            CreateCreate(context), CreateList(context), CreateShow(context),
        };

    private static VerbCommand CreateCreate(CliContext context)
    {
        var remote = new RemoteOptions();
        var name = new Option<string>("--name") { Description = "The model's name, unique within its lab (it never changes: reports quote it).", Required = true };
        var lab = new Option<string?>("--lab") { Description = "The lab it belongs to: its id or exact name (administrators only; a lab's user creates models for its own lab).", HelpName = "org" };
        var command = remote.AddTo(new VerbCommand("create", "Create a model for your lab (or, as an administrator, for the lab named).", OrgCommand.Conventions) { name, lab });
        command.WithExample("jailgrade model create --name ex-1 --key-file alice.key", "a lab's user adds a model of its own lab");
        command.SetAction((parseResult, cancellationToken) => remote.RunAsync(context, parseResult, "model create", async client =>
        {
            var body = new JsonObject { ["name"] = parseResult.GetValue(name) };
            if (parseResult.GetValue(lab) is { } named)
            {
                body["lab"] = (await OrgCommand.ResolveAsync(client, named, "lab", cancellationToken)).ToString("D");
            }

            var answer = await client.SendAsync(HttpMethod.Post, "models", body, null, cancellationToken);
            await OrgCommand.WriteAsync(context, parseResult.GetValue(remote.Json), answer.Body, () => WriteRecord(context, Columns, answer.Body));
            return (int)ExitCode.Success;
        }));
        return command;
    }

    private static VerbCommand CreateList(CliContext context)
    {
        var remote = new RemoteOptions();
        var lab = new Option<string?>("--lab") { Description = "Only this lab's models: its id or exact name.", HelpName = "org" };
        var list = new RemoteList();
        var command = remote.AddTo(new VerbCommand("list", "List the models you may see (a lab its own; a regulator or an administrator all), oldest first.", OrgCommand.Conventions)
        {
            lab, list.Limit, list.All,
        });
        command.WithExample("jailgrade model list --key-file alice.key --all", "your lab's models");
        command.SetAction((parseResult, cancellationToken) => remote.RunAsync(context, parseResult, "model list", async client =>
        {
            var query = new List<(string, string)>();
            RemoteList.Add(query, "lab", parseResult.GetValue(lab) is { } l ? (await OrgCommand.ResolveAsync(client, l, "lab", cancellationToken)).ToString("D") : null);
            await list.WriteAsync(context, parseResult, remote, client, "models", query, "model list", "models", Columns, cancellationToken);
            return (int)ExitCode.Success;
        }));
        return command;
    }

    private static VerbCommand CreateShow(CliContext context)
    {
        var remote = new RemoteOptions();
        var model = ModelArgument();
        var command = remote.AddTo(new VerbCommand("show", "Show one model.", OrgCommand.Conventions) { model });
        command.WithExample("jailgrade model show ex-1 --key-file alice.key", "by name (or by id)");
        command.SetAction((parseResult, cancellationToken) => remote.RunAsync(context, parseResult, "model show", async client =>
        {
            var answer = await client.GetAsync($"models/{await ResolveAsync(client, parseResult.GetValue(model)!, cancellationToken):D}", cancellationToken);
            await OrgCommand.WriteAsync(context, parseResult.GetValue(remote.Json), answer.Body, () => WriteRecord(context, Columns, answer.Body));
            return (int)ExitCode.Success;
        }));
        return command;
    }

    /// <summary>A model named on the command line: its id as given, or the id of the one model you may see with exactly that name.</summary>
    public static async Task<Guid> ResolveAsync(RegistryClient client, string text, CancellationToken cancellationToken)
    {
        if (Guid.TryParse(text, out var id))
        {
            return id;
        }

        var named = (await RemoteList.EveryAsync(client, "models", "models", cancellationToken)).Where(m => Text(m, "name") == text).ToList();
        return named switch
        {
            [var only] when Guid.TryParse(Text(only, "id"), out var found) => found,
            [] => throw new RemoteException(ExitCode.NotFound, $"no model named '{TerminalText.Escape(text)}' among those you may see (give its id, or its exact name)"),
            _ => throw new RemoteException(ExitCode.UsageError, $"{named.Count} models you may see are named '{TerminalText.Escape(text)}' (of different labs): give its id"),
        };
    }

    private static Argument<string> ModelArgument() => new("model") { Description = "The model: its id, or its exact name." };
}
