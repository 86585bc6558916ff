using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Jailgrade.Cli.Commands.Registry.Internal;
using Jailgrade.Cli.Hosting;
using Jailgrade.Cli.Remote;
using Jailgrade.Policy.Obligations;
using static Jailgrade.Cli.Remote.RemoteOutput;

namespace Jailgrade.Cli.Commands.Registry;

/// <summary><c>jailgrade case</c>: cases on a registry server, through its API (docs/registry.md).</summary>
internal static class CaseCommand
{
    /// <summary>The most technique text sent (the server takes bodies up to 64 KiB).</summary>
    private const int MaxTechniqueBytes = 60 * 1024;

    public static readonly Column[] Columns =
    [
        new("id", c => Text(c, "id")),
        new("status", c => Text(c, "status")),
        new("created", c => Text(c, "createdAt")),
        new("title", c => Text(c, "title")),
        new("lab_as_reported", c => Text(c, "labAsReported")),
        new("model_as_reported", c => Text(c, "modelAsReported"), Wide: true),
        new("reporter", c => Text(c, "reporter"), Wide: true),
        new("authority", c => Text(c, "authority"), Wide: true),
        new("resolution", c => Text(c, "resolution"), Wide: true),
        new("involvements", c => c.TryGetProperty("involvements", out var all) && all.ValueKind == JsonValueKind.Array
            ? string.Join(",", all.EnumerateArray().Select(i => $"{Text(i, "id")}={Text(i, "status")}")) : "", Wide: true),
    ];

    private static readonly Column[] InvolvementColumns =
    [
        new("involvement", i => Text(i, "id")),
        new("lab", i => Text(i, "lab")),
        new("status", i => Text(i, "status")),
        new("releases", i => Text(i, "releases")),
        new("acknowledged", i => Text(i, "acknowledgedAt")),
        new("version", i => Text(i, "version")),
    ];

    public static Command Create(CliContext context) =>
        new("case", "Cases on a registry server: create, show, list, history, technique, triage, acknowledge, transition, reject, duplicate.")
        {
            CreateCreate(context), CreateShow(context), CreateList(context), RemoteList.HistoryVerb(context, "case", "cases", "A case's history as you may see it: every event of your projection, in order.", "The case's id.",
                "jailgrade case history 0b5c2f7e-7a1d-4c3e-9f6b-2d8e4a1c5b90 --all --key-file regulator.key", "who changed what, and when"),
            CaseActionVerbs.CreateTechnique(context),
            CaseActionVerbs.CreateTriage(context), CaseActionVerbs.CreateAcknowledge(context), CreateTransition(context),
            CaseActionVerbs.CreateReject(context), CaseActionVerbs.CreateDuplicate(context),
        };

    private static VerbCommand CreateCreate(CliContext context)
    {
        var remote = new RemoteOptions();
        var title = new Option<string>("--title") { Description = "A short title (no technique detail: every party of the case sees it).", Required = true };
        var authority = new Option<string>("--authority") { Description = "The authority the case is filed with: its organization id (or exact name, if you may see it).", HelpName = "org", Required = true };
        var lab = new Option<string>("--lab") { Description = "The lab as you know it (free text; the regulator links the real one at triage).", HelpName = "text", Required = true };
        var model = new Option<string>("--model") { Description = "The model as you know it (free text).", HelpName = "text", Required = true };
        var technique = new Option<string>("--technique-file") { Description = "File with the technique's description (UTF-8 text, at most 60 KiB); stored encrypted, shown to entitled parties only.", HelpName = "path", Required = true };
        var discovered = new Option<string?>("--discovered-at") { Description = "When you discovered it (ISO 8601 with an offset, or a date); recorded as your assertion.", HelpName = "time" };
        var command = remote.AddTo(new VerbCommand("create", "Report a jailbreak: file a new case with an authority.", """
            Your organization becomes the case's reporter. The technique's description is read from a file and
            sent once; it never appears in this verb's output. The case starts as 'reported' until a regulator
            of the authority triages it.
            """ + "\n\n" + OrgCommand.Conventions)
        {
            title, authority, lab, model, technique, discovered,
        });
        command.WithExample("jailgrade case create --title \"Role-play unlocks synthesis canary\" --authority 5f1c8a2e-3b4d-4e6f-8a9b-0c1d2e3f4a5b --lab \"Example Lab\" --model ex-1 --technique-file technique.txt --discovered-at 2026-12-01T08:00:00Z --key-file reporter.key",
            "a reporter files a case");
        command.SetAction((parseResult, cancellationToken) => remote.RunAsync(context, parseResult, "case create", async client =>
        {
            var text = ReadTechnique(parseResult.GetValue(technique)!);
            var body = new JsonObject
            {
                ["title"] = parseResult.GetValue(title),
                ["authority"] = (await OrgCommand.ResolveAsync(client, parseResult.GetValue(authority)!, "authority", cancellationToken)).ToString("D"),
                ["labAsReported"] = parseResult.GetValue(lab),
                ["modelAsReported"] = parseResult.GetValue(model),
                ["technique"] = text,
            };
            if (parseResult.GetValue(discovered) is { } at)
            {
                body["discoveredAt"] = RemoteList.Time(at, "--discovered-at");
            }

            var answer = await client.SendAsync(HttpMethod.Post, "cases", body, null, cancellationToken);
            await WriteCaseAsync(context, parseResult.GetValue(remote.Json), answer);
            return (int)ExitCode.Success;
        }));
        return command;
    }

    private static VerbCommand CreateShow(CliContext context)
    {
        var remote = new RemoteOptions();
        var id = IdArgument();
        var command = remote.AddTo(new VerbCommand("show", "Show a case as you may see it: its header and the involvements visible to you.", OrgCommand.Conventions) { id });
        command.WithExample("jailgrade case show 0b5c2f7e-7a1d-4c3e-9f6b-2d8e4a1c5b90 --key-file alice.key", "a lab sees the header and its own involvement");
        command.SetAction((parseResult, cancellationToken) => remote.RunAsync(context, parseResult, "case show", async client =>
        {
            var answer = await client.GetAsync($"cases/{RemoteOptions.Id(parseResult.GetValue(id)!, "case"):D}", cancellationToken);
            await WriteCaseAsync(context, parseResult.GetValue(remote.Json), answer);
            return (int)ExitCode.Success;
        }));
        return command;
    }

    private static VerbCommand CreateList(CliContext context)
    {
        var remote = new RemoteOptions();
        var status = new Option<string?>("--status") { Description = "Only cases with this status (reported, triaged, ..., rejected, duplicate).", HelpName = "status" };
        var release = new Option<string?>("--release") { Description = "Only cases involving this release (its id).", HelpName = "id" };
        var lab = new Option<string?>("--lab") { Description = "Only cases involving this lab (its organization id).", HelpName = "id" };
        var changedSince = new Option<string?>("--changed-since") { Description = "Only cases changed at or after this time (ISO 8601 with an offset, or a date).", HelpName = "time" };
        var changedBy = new Option<string?>("--changed-by") { Description = "Only cases changed by this organization (its id).", HelpName = "id" };
        var list = new RemoteList();
        var command = remote.AddTo(new VerbCommand("list", "List the cases you may see, oldest first, with filters.", OrgCommand.Conventions)
        {
            status, release, lab, changedSince, changedBy, list.Limit, list.All,
        });
        command.WithExample("jailgrade case list --key-file regulator.key --status reported", "what is waiting for triage")
            .WithExample("jailgrade case list --key-file alice.key --changed-since 2026-12-01 --all | cut -f1,2", "every case changed since the 1st: ids and statuses");
        command.SetAction((parseResult, cancellationToken) => remote.RunAsync(context, parseResult, "case list", async client =>
        {
            var query = new List<(string, string)>();
            RemoteList.Add(query, "status", parseResult.GetValue(status));
            RemoteList.Add(query, "release", parseResult.GetValue(release) is { } r ? RemoteOptions.Id(r, "--release").ToString("D") : null);
            RemoteList.Add(query, "lab", parseResult.GetValue(lab) is { } l ? RemoteOptions.Id(l, "--lab").ToString("D") : null);
            RemoteList.Add(query, "changed_since", parseResult.GetValue(changedSince) is { } t ? RemoteList.Time(t, "--changed-since") : null);
            RemoteList.Add(query, "changed_by", parseResult.GetValue(changedBy) is { } b ? RemoteOptions.Id(b, "--changed-by").ToString("D") : null);
            await list.WriteAsync(context, parseResult, remote, client, "cases", query, "case list", "cases", Columns, cancellationToken);
            return (int)ExitCode.Success;
        }));
        return command;
    }

    private static VerbCommand CreateTransition(CliContext context)
    {
        var remote = new RemoteOptions();
        var id = IdArgument();
        var involvement = new Option<string>("--involvement") { Description = "The involvement (one lab's part of the case) to move: its id, as 'case show' lists it.", HelpName = "id", Required = true };
        var to = new Option<string>("--to") { Description = "The status to move it to (mitigating, verifying, closed, reopened, ...).", HelpName = "status", Required = true };
        var ifMatch = OrgCommand.IfMatchOption();
        var command = remote.AddTo(new VerbCommand("transition", "Move one lab's involvement in a case to its next status.", """
            Reads the case first and sends its ETag as If-Match, so the move never overwrites a change made in
            between: if someone changed the case first, the server answers 412 and this exits 13 (read it again
            and retry). --if-match sends the ETag you read earlier instead. A move the lifecycle does not allow
            exits 1, naming the statuses allowed from where the involvement is (docs/registry.md, "Lifecycle").
            """ + "\n\n" + OrgCommand.Conventions)
        {
            id, involvement, to, ifMatch,
        });
        command.WithExample("jailgrade case transition 0b5c2f7e-7a1d-4c3e-9f6b-2d8e4a1c5b90 --involvement 7d2e9c41-5a3b-4f8e-b1c6-9e0a2d4f6b83 --to mitigating --key-file alice.key",
            "the lab starts mitigating");
        command.SetAction((parseResult, cancellationToken) => remote.RunAsync(context, parseResult, "case transition", async client =>
        {
            var caseId = RemoteOptions.Id(parseResult.GetValue(id)!, "case");
            var involvementId = RemoteOptions.Id(parseResult.GetValue(involvement)!, "--involvement");
            var answer = await client.WriteAsync(HttpMethod.Post, $"cases/{caseId:D}", $"cases/{caseId:D}/involvements/{involvementId:D}/transition",
                new JsonObject { ["to"] = parseResult.GetValue(to) }, parseResult.GetValue(ifMatch), cancellationToken);
            await WriteCaseAsync(context, parseResult.GetValue(remote.Json), answer);
            return (int)ExitCode.Success;
        }));
        return command;
    }

    /// <summary>Prints a case: its JSON, one TSV row, or on a terminal its header and each involvement as a record.</summary>
    internal static async Task WriteCaseAsync(CliContext context, bool json, ApiAnswer answer)
    {
        // A proxy or a wrong --server can answer 200 with any JSON: say so instead of failing on its shape.
        if (answer.Body.ValueKind != JsonValueKind.Object
            || (answer.Body.TryGetProperty("involvements", out var listed) && listed.ValueKind is not (JsonValueKind.Array or JsonValueKind.Null)))
        {
            throw new RemoteException(ExitCode.IoError, "the server's answer is not a case; is --server a jailgrade registry?");
        }

        if (json)
        {
            await WriteJsonAsync(context, answer.Body);
            return;
        }

        var etag = new Column("etag", _ => answer.ETag ?? "");
        if (!context.OutputIsTerminal)
        {
            WriteRecord(context, [.. Columns, etag], answer.Body);
            return;
        }

        WriteRecord(context, [.. Columns.Where(c => c.Name != "involvements"), etag], answer.Body);
        // One record per involvement: as a table, ids and release lists outgrow a terminal's width.
        if (answer.Body.TryGetProperty("involvements", out var involvements) && involvements.ValueKind == JsonValueKind.Array)
        {
            foreach (var involvement in involvements.EnumerateArray())
            {
                await context.Out.WriteLineAsync();
                WriteRecord(context, InvolvementColumns, involvement);
            }
        }
    }

    private static string ReadTechnique(string path)
    {
        if (!File.Exists(path))
        {
            throw new RemoteException(ExitCode.IoError, $"--technique-file {path} not found");
        }

        var bytes = File.ReadAllBytes(path);
        if (bytes.Length > MaxTechniqueBytes)
        {
            throw new RemoteException(ExitCode.InvalidInput, $"--technique-file {path} holds {bytes.Length} bytes; at most {MaxTechniqueBytes} are sent (describe the technique, attach evidence separately)");
        }

        try
        {
            var text = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true).GetString(bytes).TrimStart('\uFEFF');
            return text.Trim().Length > 0 ? text : throw new RemoteException(ExitCode.InvalidInput, $"--technique-file {path} is empty; describe the technique");
        }
        catch (DecoderFallbackException)
        {
            // Never quote the bytes: the technique is hazardous content.
            throw new RemoteException(ExitCode.InvalidInput, $"--technique-file {path} is not UTF-8 text");
        }
    }

    internal static Argument<string> IdArgument() => new("id") { Description = "The case's id." };
}
