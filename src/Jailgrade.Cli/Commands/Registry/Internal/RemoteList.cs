using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Jailgrade.Cli.Hosting;
using Jailgrade.Cli.Remote;
using Jailgrade.Policy.Obligations;
using static Jailgrade.Cli.Remote.RemoteOutput;

namespace Jailgrade.Cli.Commands.Registry.Internal;

/// <summary>
/// A list the server pages (docs/api.md, "Pagination"), read the same way by every list verb: the first
/// page, or with <c>--all</c> every page (following <c>next</c>), printed as one list; with <c>--json</c>
/// one <c>{"items":[...],"next":...}</c>.
/// </summary>
internal sealed class RemoteList
{
    public const int MaxLimit = 200;

    public Option<int?> Limit { get; } = new("--limit") { Description = $"How many per page (1 to {MaxLimit}; the server's default is 50).", HelpName = "n" };

    public Option<bool> All { get; } = new("--all") { Description = "Follow every page (without it: the first page, and a note on stderr when more follow)." };

    /// <summary>Reads the pages and prints them; <paramref name="verb"/> and <paramref name="noun"/> name them in messages.</summary>
    public async Task WriteAsync(CliContext context, ParseResult parseResult, RemoteOptions remote, RegistryClient client, string path,
        List<(string Name, string Value)> query, string verb, string noun, IReadOnlyList<Column> columns, CancellationToken cancellationToken)
    {
        if (parseResult.GetValue(Limit) is { } pageSize)
        {
            if (pageSize is < 1 or > MaxLimit)
            {
                throw new RemoteException(ExitCode.UsageError, $"--limit {pageSize}: expected 1 to {MaxLimit} per page");
            }

            query.Add(("limit", pageSize.ToString(CultureInfo.InvariantCulture)));
        }

        var (items, next) = await ReadAsync(client, path, query, parseResult.GetValue(All), noun, cancellationToken);
        if (parseResult.GetValue(remote.Json))
        {
            var page = new JsonObject { ["items"] = new JsonArray([.. items.Select(i => JsonNode.Parse(i.GetRawText()))]), ["next"] = next };
            await WriteJsonAsync(context, JsonSerializer.Deserialize<JsonElement>(page.ToJsonString()));
        }
        else
        {
            WriteRows(context, columns, items);
        }

        if (next is not null)
        {
            await context.Error.WriteLineAsync($"jailgrade {verb}: more {noun} follow after these {items.Count}; add --all to follow every page.");
        }
    }

    /// <summary>Every item of a list, following each page's <c>next</c> (for lookups such as an organization by name).</summary>
    public static async Task<List<JsonElement>> EveryAsync(RegistryClient client, string path, string noun, CancellationToken cancellationToken) =>
        (await ReadAsync(client, path, [("limit", MaxLimit.ToString(CultureInfo.InvariantCulture))], all: true, noun, cancellationToken)).Items;

    /// <summary>
    /// <c>jailgrade NOUN history ID</c>: the events of the object <c>{collection}/{id}</c>, paged like every
    /// list (cases, releases and accreditations alike; <paramref name="noun"/> names it in messages).
    /// </summary>
    public static VerbCommand HistoryVerb(CliContext context, string noun, string collection, string summary, string idDescription, string example, string comment)
    {
        var remote = new RemoteOptions();
        var id = new Argument<string>("id") { Description = idDescription };
        var list = new RemoteList();
        var command = remote.AddTo(new VerbCommand("history", summary, OrgCommand.Conventions) { id, list.Limit, list.All });
        command.WithExample(example, comment);
        command.SetAction((parseResult, cancellationToken) => remote.RunAsync(context, parseResult, $"{noun} history", async client =>
        {
            var path = $"{collection}/{RemoteOptions.Id(parseResult.GetValue(id)!, noun):D}/history";
            await list.WriteAsync(context, parseResult, remote, client, path, [], $"{noun} history", "events", OrgCommand.HistoryColumns, cancellationToken);
            return (int)ExitCode.Success;
        }));
        return command;
    }

    /// <summary>Adds a filter to a query when it was given.</summary>
    public static void Add(List<(string, string)> query, string name, string? value)
    {
        if (value is not null)
        {
            query.Add((name, value));
        }
    }

    /// <summary>A time from the command line in the API's form: UTC, milliseconds, Z.</summary>
    public static string Time(string text, string option) =>
        Timestamps.TryParse(text, out var instant, out var problem)
            ? Jailgrade.Registry.Events.EventEncoding.Time(instant)
            : throw new RemoteException(ExitCode.UsageError, $"{option} '{TerminalText.Escape(text)}': {problem}");

    private static async Task<(List<JsonElement> Items, string? Next)> ReadAsync(RegistryClient client, string path, List<(string Name, string Value)> query,
        bool all, string noun, CancellationToken cancellationToken)
    {
        var items = new List<JsonElement>();
        string? next = null;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        do
        {
            var page = await client.GetAsync(path + Query(next is null ? query : [.. query, ("cursor", next)]), cancellationToken);
            items.AddRange(Items(page.Body));
            next = page.Body.ValueKind == JsonValueKind.Object && page.Body.TryGetProperty("next", out var cursor) && cursor.ValueKind == JsonValueKind.String ? cursor.GetString() : null;
            if (next is not null && !seen.Add(next))
            {
                throw new RemoteException(ExitCode.IoError, $"the server sent the same {noun} page cursor twice; stopped after {items.Count} {noun}");
            }
        }
        while (all && next is not null);

        return (items, next);
    }

    private static string Query(List<(string Name, string Value)> query) =>
        query.Count == 0 ? "" : "?" + string.Join("&", query.Select(q => $"{q.Name}={Uri.EscapeDataString(q.Value)}"));
}
