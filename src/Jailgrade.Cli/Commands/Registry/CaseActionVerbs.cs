using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Nodes;
using Jailgrade.Cli.Hosting;
using Jailgrade.Cli.Remote;
using static Jailgrade.Cli.Remote.RemoteOutput;

namespace Jailgrade.Cli.Commands.Registry;

/// <summary>
/// <c>jailgrade case technique|triage|acknowledge|reject|duplicate</c>: what the parties of a case do to
/// it after it is filed (docs/registry.md, "Cases API"). Every write reads the case first and sends its
/// ETag as If-Match, like <c>case transition</c>.
/// </summary>
internal static class CaseActionVerbs
{
    private const string Versioned = """
        Reads the case first and sends its ETag as If-Match, so the write never overwrites a change made in
        between (412: exit 13, read it again and retry); --if-match sends the ETag you read earlier instead.
        """;

    public static VerbCommand CreateTechnique(CliContext context)
    {
        var remote = new RemoteOptions();
        var id = CaseCommand.IdArgument();
        var command = remote.AddTo(new VerbCommand("technique", "Print a case's technique detail (for its reporter, regulators in scope, assigned auditors and involved labs).", """
            The technique is the most dangerous text of a case: it goes to standard output only, and each read
            is recorded as an event (case.technique_read, in the case's history) before the server sends it.
            Piped, the text is written as it was filed; on a terminal, control characters other than line
            breaks are escaped. With --json: {"technique": "..."}. A party that may not read it (a lab the
            case does not involve, say) gets exit 12, exactly as for a case that does not exist.
            """ + "\n\n" + OrgCommand.Conventions) { id });
        command.WithExample("jailgrade case technique 0b5c2f7e-7a1d-4c3e-9f6b-2d8e4a1c5b90 --key-file regulator.key > technique.txt", "the regulator reads it into a file (mode as your umask sets it)");
        command.SetAction((parseResult, cancellationToken) => remote.RunAsync(context, parseResult, "case technique", async client =>
        {
            var answer = await client.GetAsync($"cases/{RemoteOptions.Id(parseResult.GetValue(id)!, "case"):D}/technique", cancellationToken);
            if (answer.Body.ValueKind != JsonValueKind.Object || !answer.Body.TryGetProperty("technique", out var technique) || technique.ValueKind != JsonValueKind.String)
            {
                throw new RemoteException(ExitCode.IoError, "the server's answer is not a technique; is --server a jailgrade registry?");
            }

            if (parseResult.GetValue(remote.Json))
            {
                await WriteJsonAsync(context, answer.Body);
                return (int)ExitCode.Success;
            }

            var text = technique.GetString()!;
            await context.Out.WriteAsync(context.OutputIsTerminal ? string.Join('\n', text.Split('\n').Select(TerminalText.Escape)) : text);
            if (!text.EndsWith('\n'))
            {
                await context.Out.WriteLineAsync();
            }

            return (int)ExitCode.Success;
        }));
        return command;
    }

    public static VerbCommand CreateTriage(CliContext context)
    {
        var remote = new RemoteOptions();
        var id = CaseCommand.IdArgument();
        var releases = new Option<string[]>("--release") { Description = "A release the jailbreak touches (its id); repeatable. Each lab's releases become that lab's involvement.", HelpName = "id", Required = true };
        var lab = new Option<string?>("--lab") { Description = "The lab every --release belongs to: its id (or exact name, if you may see it). Without it, each release's lab is read from the server.", HelpName = "org" };
        var auditors = new Option<string[]>("--auditor") { Description = "An auditor organization assigned to the case: its id (or exact name, if you may see it); repeatable.", HelpName = "org" };
        var incident = new Option<string?>("--incident-type") { Description = "The incident type, a case fact the policy reads (a lower-case word such as cyber-breach).", HelpName = "type" };
        var ifMatch = OrgCommand.IfMatchOption();
        var command = remote.AddTo(new VerbCommand("triage", "Triage a reported case: link the releases it touches, one involvement per lab, and assign its auditors.", """
            For a regulator of the authority the case was filed with. The releases' labs become the case's
            involvements (each 'triaged'); the auditors named may later close or reopen them. A case is
            triaged once: a second triage exits 1.
            """ + "\n" + Versioned + "\n\n" + OrgCommand.Conventions)
        {
            id, releases, lab, auditors, incident, ifMatch,
        });
        command.WithExample("jailgrade case triage 0b5c2f7e-7a1d-4c3e-9f6b-2d8e4a1c5b90 --release 3f9a6c1e-8b2d-4e7f-a5c3-1d9e7b4a2c60 --auditor 9e4b1d7a-2c5f-4a8e-b3d6-7f0c1e9a5b24 --key-file regulator.key",
            "one lab's release, one auditor");
        command.SetAction((parseResult, cancellationToken) => remote.RunAsync(context, parseResult, "case triage", async client =>
        {
            var caseId = RemoteOptions.Id(parseResult.GetValue(id)!, "case");
            var releaseIds = RemoteOptions.Values(parseResult.GetValue(releases)).Select(r => RemoteOptions.Id(r, "--release")).Distinct().ToList();
            var labs = new List<(Guid Lab, List<Guid> Releases)>();
            if (parseResult.GetValue(lab) is { } named)
            {
                labs.Add((await OrgCommand.ResolveAsync(client, named, "lab", cancellationToken), releaseIds));
            }
            else
            {
                foreach (var release in releaseIds)
                {
                    var owner = RemoteOptions.Id(Text((await client.GetAsync($"releases/{release:D}", cancellationToken)).Body, "lab"), "the release's lab");
                    var index = labs.FindIndex(l => l.Lab == owner);
                    if (index < 0)
                    {
                        labs.Add((owner, [release]));
                    }
                    else
                    {
                        labs[index].Releases.Add(release);
                    }
                }
            }

            var assigned = new JsonArray();
            foreach (var auditor in RemoteOptions.Values(parseResult.GetValue(auditors)))
            {
                assigned.Add((await OrgCommand.ResolveAsync(client, auditor, "auditor", cancellationToken)).ToString("D"));
            }

            var body = new JsonObject
            {
                ["involvements"] = new JsonArray([.. labs.Select(l => (JsonNode)new JsonObject
                {
                    ["lab"] = l.Lab.ToString("D"),
                    ["releases"] = new JsonArray([.. l.Releases.Select(r => (JsonNode)r.ToString("D"))]),
                })]),
                ["auditors"] = assigned,
            };
            if (parseResult.GetValue(incident) is { } type)
            {
                body["incidentType"] = type;
            }

            var answer = await client.WriteAsync(HttpMethod.Post, $"cases/{caseId:D}", $"cases/{caseId:D}/triage", body, parseResult.GetValue(ifMatch), cancellationToken);
            await CaseCommand.WriteCaseAsync(context, parseResult.GetValue(remote.Json), answer);
            return (int)ExitCode.Success;
        }));
        return command;
    }

    public static VerbCommand CreateAcknowledge(CliContext context)
    {
        var remote = new RemoteOptions();
        var id = CaseCommand.IdArgument();
        var involvement = new Option<string?>("--involvement") { Description = "Your lab's involvement (default: the one involvement of the case you see).", HelpName = "id" };
        var ifMatch = OrgCommand.IfMatchOption();
        var command = remote.AddTo(new VerbCommand("acknowledge", "Acknowledge a case for your lab: record that the lab took notice (its status does not change).", """
            For a user of the involvement's lab. The acknowledgement is an event by your own user: the record
            shows when the lab took notice. A second acknowledgement exits 1.
            """ + "\n" + Versioned + "\n\n" + OrgCommand.Conventions)
        {
            id, involvement, ifMatch,
        });
        command.WithExample("jailgrade case acknowledge 0b5c2f7e-7a1d-4c3e-9f6b-2d8e4a1c5b90 --key-file alice.key", "the lab's one involvement");
        command.SetAction((parseResult, cancellationToken) => remote.RunAsync(context, parseResult, "case acknowledge", async client =>
        {
            var caseId = RemoteOptions.Id(parseResult.GetValue(id)!, "case");
            var etag = parseResult.GetValue(ifMatch);
            Guid involvementId;
            if (parseResult.GetValue(involvement) is { } given)
            {
                involvementId = RemoteOptions.Id(given, "--involvement");
            }
            else
            {
                var read = await client.GetAsync($"cases/{caseId:D}", cancellationToken);
                var seen = read.Body.ValueKind == JsonValueKind.Object && read.Body.TryGetProperty("involvements", out var all) && all.ValueKind == JsonValueKind.Array
                    ? all.EnumerateArray().Select(i => Text(i, "id")).ToList()
                    : [];
                involvementId = seen is [var only]
                    ? RemoteOptions.Id(only, "the case's involvement")
                    : throw new RemoteException(ExitCode.UsageError, seen.Count == 0
                        ? $"case {caseId:D} has no involvement you see (it is not triaged, or not to your lab)"
                        : $"case {caseId:D} has {seen.Count} involvements you see; name yours with --involvement ({string.Join(", ", seen.Select(TerminalText.Escape))})");
                etag ??= read.ETag;
            }

            var answer = await client.WriteAsync(HttpMethod.Post, $"cases/{caseId:D}", $"cases/{caseId:D}/involvements/{involvementId:D}/acknowledge", null, etag, cancellationToken);
            await CaseCommand.WriteCaseAsync(context, parseResult.GetValue(remote.Json), answer);
            return (int)ExitCode.Success;
        }));
        return command;
    }

    public static VerbCommand CreateReject(CliContext context)
    {
        var remote = new RemoteOptions();
        var id = CaseCommand.IdArgument();
        var reason = new Option<string>("--reason") { Description = "Why it is rejected (recorded in the case's history; every party of the case sees it).", HelpName = "text", Required = true };
        var ifMatch = OrgCommand.IfMatchOption();
        var command = remote.AddTo(new VerbCommand("reject", "Reject a case (for a regulator of its authority): it is resolved as 'rejected' and no longer moves.", Versioned + "\n\n" + OrgCommand.Conventions)
        {
            id, reason, ifMatch,
        });
        command.WithExample("jailgrade case reject 0b5c2f7e-7a1d-4c3e-9f6b-2d8e4a1c5b90 --reason \"not a jailbreak: the model answers this by design\" --key-file regulator.key", "close it without triage");
        command.SetAction((parseResult, cancellationToken) => remote.RunAsync(context, parseResult, "case reject", async client =>
        {
            var caseId = RemoteOptions.Id(parseResult.GetValue(id)!, "case");
            var answer = await client.WriteAsync(HttpMethod.Post, $"cases/{caseId:D}", $"cases/{caseId:D}/reject",
                new JsonObject { ["reason"] = parseResult.GetValue(reason) }, parseResult.GetValue(ifMatch), cancellationToken);
            await CaseCommand.WriteCaseAsync(context, parseResult.GetValue(remote.Json), answer);
            return (int)ExitCode.Success;
        }));
        return command;
    }

    public static VerbCommand CreateDuplicate(CliContext context)
    {
        var remote = new RemoteOptions();
        var id = CaseCommand.IdArgument();
        var of = new Option<string>("--of") { Description = "The case it duplicates (its id; one you may see).", HelpName = "id", Required = true };
        var ifMatch = OrgCommand.IfMatchOption();
        var command = remote.AddTo(new VerbCommand("duplicate", "Mark a case a duplicate of another (for a regulator of its authority): it is resolved as 'duplicate'.", Versioned + "\n\n" + OrgCommand.Conventions)
        {
            id, of, ifMatch,
        });
        command.WithExample("jailgrade case duplicate 0b5c2f7e-7a1d-4c3e-9f6b-2d8e4a1c5b90 --of 5a8d3e1f-6c2b-4d9a-8e7f-1b3c5d7e9f02 --key-file regulator.key", "the same jailbreak, reported twice");
        command.SetAction((parseResult, cancellationToken) => remote.RunAsync(context, parseResult, "case duplicate", async client =>
        {
            var caseId = RemoteOptions.Id(parseResult.GetValue(id)!, "case");
            var original = RemoteOptions.Id(parseResult.GetValue(of)!, "--of");
            var answer = await client.WriteAsync(HttpMethod.Post, $"cases/{caseId:D}", $"cases/{caseId:D}/duplicate",
                new JsonObject { ["of"] = original.ToString("D") }, parseResult.GetValue(ifMatch), cancellationToken);
            await CaseCommand.WriteCaseAsync(context, parseResult.GetValue(remote.Json), answer);
            return (int)ExitCode.Success;
        }));
        return command;
    }
}
