using System.CommandLine;
using System.Text.Json.Nodes;
using Jailgrade.Cli.Commands.Registry.Internal;
using Jailgrade.Cli.Hosting;
using Jailgrade.Cli.Remote;
using static Jailgrade.Cli.Remote.RemoteOutput;

namespace Jailgrade.Cli.Commands.Registry;

/// <summary><c>jailgrade release</c>: releases of a lab's models on a registry server (docs/registry.md, "Models and releases").</summary>
internal static class ReleaseCommand
{
    public static readonly Column[] Columns =
    [
        new("id", r => Text(r, "id")),
        new("model", r => Text(r, "modelName")),
        new("version", r => Text(r, "version")),
        new("exposure", r => Text(r, "exposure")),
        new("regions", r => Text(r, "regions")),
        new("created", r => Text(r, "createdAt")),
        new("revision", r => Text(r, "revision")),
        new("model_id", r => Text(r, "model"), Wide: true),
        new("lab", r => Text(r, "lab"), Wide: true),
    ];

    private const string ExposureHelp = "Its deployment exposure, the standard's DP value: I internal, L limited, G general, O open weights.";

    private const string RegionHelp = "A region where it is offered, an ISO 3166-1 alpha-2 code (US, GB, ...); repeatable, or several separated by commas.";

    public static Command Create(CliContext context) =>
        new("release", "Releases of a lab's models on a registry server: create, list, show, update, history.")
        {
            CreateCreate(context), CreateList(context), CreateShow(context), CreateUpdate(context),
            RemoteList.HistoryVerb(context, "release", "releases", "A release's history: created, and each change of exposure or regions, with who made it.", "The release's id.",
                "jailgrade release history 3f9a6c1e-8b2d-4e7f-a5c3-1d9e7b4a2c60 --all --key-file regulator.key", "when its exposure changed"),
        };

    private static VerbCommand CreateCreate(CliContext context)
    {
        var remote = new RemoteOptions();
        var model = new Option<string>("--model") { Description = "The model it is a release of: its id, or its exact name.", HelpName = "model", Required = true };
        var version = new Option<string>("--version") { Description = "Its version or snapshot id, unique within the model (it never changes).", HelpName = "v", Required = true };
        var exposure = new Option<string>("--exposure") { Description = ExposureHelp, HelpName = "I|L|G|O", Required = true };
        var regions = new Option<string[]>("--region") { Description = RegionHelp, HelpName = "cc" };
        var command = remote.AddTo(new VerbCommand("create", "Create a release of one of your lab's models (an administrator: of any lab's).", OrgCommand.Conventions)
        {
            model, version, exposure, regions,
        });
        command.WithExample("jailgrade release create --model ex-1 --version 2026-06-01 --exposure G --region US,GB --key-file alice.key", "generally available in two countries");
        command.SetAction((parseResult, cancellationToken) => remote.RunAsync(context, parseResult, "release create", async client =>
        {
            var modelId = await ModelCommand.ResolveAsync(client, parseResult.GetValue(model)!, cancellationToken);
            var body = new JsonObject
            {
                ["version"] = parseResult.GetValue(version),
                ["exposure"] = parseResult.GetValue(exposure),
                ["regions"] = Regions(parseResult.GetValue(regions)),
            };
            var answer = await client.SendAsync(HttpMethod.Post, $"models/{modelId:D}/releases", body, null, cancellationToken);
            await OrgCommand.WriteAsync(context, parseResult.GetValue(remote.Json), answer.Body, () => WriteRecord(context, Columns, answer.Body));
            return (int)ExitCode.Success;
        }));
        return command;
    }

    private static VerbCommand CreateList(CliContext context)
    {
        var remote = new RemoteOptions();
        var model = new Option<string?>("--model") { Description = "Only this model's releases: its id, or its exact name.", HelpName = "model" };
        var lab = new Option<string?>("--lab") { Description = "Only this lab's releases: its id or exact name.", HelpName = "org" };
        var changedSince = new Option<string?>("--changed-since") { Description = "Only releases created or changed at or after this time (ISO 8601 with an offset, or a date).", HelpName = "time" };
        var list = new RemoteList();
        var command = remote.AddTo(new VerbCommand("list", "List the releases you may see (a lab its own; a regulator or an administrator all), oldest first.", OrgCommand.Conventions)
        {
            model, lab, changedSince, list.Limit, list.All,
        });
        command.WithExample("jailgrade release list --model ex-1 --key-file alice.key", "one model's releases")
            .WithExample("jailgrade release list --changed-since 2026-06-01 --all --key-file regulator.key | cut -f1,4", "what changed exposure since June: ids and exposures");
        command.SetAction((parseResult, cancellationToken) => remote.RunAsync(context, parseResult, "release list", async client =>
        {
            var query = new List<(string, string)>();
            RemoteList.Add(query, "model", parseResult.GetValue(model) is { } m ? (await ModelCommand.ResolveAsync(client, m, cancellationToken)).ToString("D") : null);
            RemoteList.Add(query, "lab", parseResult.GetValue(lab) is { } l ? (await OrgCommand.ResolveAsync(client, l, "lab", cancellationToken)).ToString("D") : null);
            RemoteList.Add(query, "changed_since", parseResult.GetValue(changedSince) is { } t ? RemoteList.Time(t, "--changed-since") : null);
            await list.WriteAsync(context, parseResult, remote, client, "releases", query, "release list", "releases", Columns, cancellationToken);
            return (int)ExitCode.Success;
        }));
        return command;
    }

    private static VerbCommand CreateShow(CliContext context)
    {
        var remote = new RemoteOptions();
        var id = IdArgument();
        var command = remote.AddTo(new VerbCommand("show", "Show one release, with its model and lab.", OrgCommand.Conventions) { id });
        command.WithExample("jailgrade release show 3f9a6c1e-8b2d-4e7f-a5c3-1d9e7b4a2c60 --key-file alice.key", "its exposure and regions");
        command.SetAction((parseResult, cancellationToken) => remote.RunAsync(context, parseResult, "release show", async client =>
        {
            var answer = await client.GetAsync($"releases/{RemoteOptions.Id(parseResult.GetValue(id)!, "release"):D}", cancellationToken);
            await OrgCommand.WriteAsync(context, parseResult.GetValue(remote.Json), answer.Body, () => WriteRecord(context, [.. Columns, new Column("etag", _ => answer.ETag ?? "")], answer.Body));
            return (int)ExitCode.Success;
        }));
        return command;
    }

    private static VerbCommand CreateUpdate(CliContext context)
    {
        var remote = new RemoteOptions();
        var id = IdArgument();
        var exposure = new Option<string?>("--exposure") { Description = "The new deployment exposure (I, L, G or O).", HelpName = "I|L|G|O" };
        var regions = new Option<string[]>("--region") { Description = "The regions it is offered in now, replacing the old list (ISO 3166-1 alpha-2); repeatable, or separated by commas.", HelpName = "cc" };
        var ifMatch = OrgCommand.IfMatchOption();
        var command = remote.AddTo(new VerbCommand("update", "Change a release's exposure or regions (its lab, or an administrator); its model and version never change.", """
            Reads the release first and sends its ETag as If-Match, so the change never overwrites one made in
            between (412: exit 13, read it again and retry); --if-match sends the ETag you read earlier instead.
            Each change is an event in the release's history.
            """ + "\n\n" + OrgCommand.Conventions)
        {
            id, exposure, regions, ifMatch,
        });
        command.WithExample("jailgrade release update 3f9a6c1e-8b2d-4e7f-a5c3-1d9e7b4a2c60 --exposure L --region US --key-file alice.key", "restricted to vetted users in one country");
        command.SetAction((parseResult, cancellationToken) => remote.RunAsync(context, parseResult, "release update", async client =>
        {
            var releaseId = RemoteOptions.Id(parseResult.GetValue(id)!, "release");
            var body = new JsonObject();
            if (parseResult.GetValue(exposure) is { } dp)
            {
                body["exposure"] = dp;
            }

            if (parseResult.GetValue(regions) is { Length: > 0 } given)
            {
                body["regions"] = Regions(given);
            }

            if (body.Count == 0)
            {
                throw new RemoteException(ExitCode.UsageError, "nothing to change: give --exposure, --region, or both");
            }

            var answer = await client.WriteAsync(HttpMethod.Patch, $"releases/{releaseId:D}", $"releases/{releaseId:D}", body, parseResult.GetValue(ifMatch), cancellationToken);
            await OrgCommand.WriteAsync(context, parseResult.GetValue(remote.Json), answer.Body, () => WriteRecord(context, Columns, answer.Body));
            return (int)ExitCode.Success;
        }));
        return command;
    }

    private static JsonArray Regions(string[]? given) => new([.. RemoteOptions.Values(given).Select(r => (JsonNode)r)]);

    private static Argument<string> IdArgument() => new("id") { Description = "The release's id." };
}
