using System.Globalization;
using System.Linq.Expressions;
using Jailgrade.Registry.Events;
using Jailgrade.Server.Identity;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Jailgrade.Server.Internal;

/// <summary>A page of a list: its items and the cursor of the next page, null on the last one.</summary>
internal sealed record PageDto<T>(IReadOnlyList<T> Items, string? Next);

/// <summary>
/// The one way every list is read and paged (docs/api.md, "Pagination"): the query's filters, checked
/// and written down canonically; <c>limit</c>; and a <c>cursor</c> that must be one <see cref="Cursors"/>
/// issued to this caller for this route and these filters. Read every filter first, then the position
/// (<see cref="After"/> or <see cref="AfterSeq"/>); the first thing wrong is the <see cref="Problem"/>.
/// Pages are keyset pages on a stable order, (created, id) or an event's sequence number.
/// </summary>
internal sealed class ListQuery
{
    public const int DefaultLimit = 50;
    public const int MaxLimit = 200;

    private readonly IQueryCollection _query;
    private readonly Cursors _cursors;
    private readonly Guid _caller;
    private readonly string _route;
    private readonly List<string> _filters = [];
    private int _limit = DefaultLimit;

    private ListQuery(HttpRequest request, Cursors cursors, string route)
    {
        _query = request.Query;
        _cursors = cursors;
        _caller = request.HttpContext.User.UserId();
        _route = route;
    }

    /// <summary>The first thing wrong with the query, as the answer to send; null when all is well.</summary>
    public IResult? Problem { get; private set; }

    /// <summary>How many items a page holds: 1 to <see cref="MaxLimit"/>, <see cref="DefaultLimit"/> unless asked.</summary>
    public int Limit => _limit;

    /// <summary>Starts reading a list's query: a parameter that is not one of <paramref name="filters"/>, <c>limit</c> or <c>cursor</c> is refused.</summary>
    public static ListQuery Read(HttpRequest request, Cursors cursors, string route, params string[] filters)
    {
        var list = new ListQuery(request, cursors, route);
        string[] known = [.. filters, "limit", "cursor"];
        if (list._query.Keys.FirstOrDefault(k => !known.Contains(k, StringComparer.Ordinal)) is { } name)
        {
            list.Problem = Problems.BadBody($"unknown query parameter '{name}'; expected {string.Join(", ", known)}");
        }

        return list;
    }

    /// <summary>A filter that takes one of some names.</summary>
    public string? OneOf(string name, IEnumerable<string> allowed) =>
        Parse(name, text => allowed.Contains(text, StringComparer.Ordinal) ? (true, text) : (false, text), $"one of {string.Join(", ", allowed)}");

    /// <summary>A filter that takes an id.</summary>
    public Guid? Id(string name) =>
        Parse<Guid?>(name, text => Guid.TryParseExact(text, "D", out var id) ? (true, id) : (false, null), "a UUID such as 0b5c5a8e-5a8e-4b5c-8e5a-5c0b5a8e4b5c",
            id => id!.Value.ToString("D"));

    /// <summary>A filter that takes a time, kept at the registry's millisecond precision.</summary>
    public DateTimeOffset? Time(string name) =>
        Parse<DateTimeOffset?>(name, text => text.Contains('T', StringComparison.Ordinal)
            && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var time)
                ? (true, EventEncoding.Truncate(time))
                : (false, null), "a time such as 2026-12-02T09:00:00.000Z", t => EventEncoding.Time(t!.Value));

    /// <summary>A filter that is true or false.</summary>
    public bool? Flag(string name) =>
        Parse<bool?>(name, text => text switch { "true" => (true, true), "false" => (true, false), _ => (false, null) }, "true or false");

    /// <summary>The keyset position (created, id) after which this page starts; null on the first page.</summary>
    public (DateTimeOffset CreatedAt, Guid Id)? After()
    {
        var position = Position();
        if (position is null)
        {
            return null;
        }

        if (Cursors.ReadPosition(position) is { } at)
        {
            return at;
        }

        Problem ??= BadCursor();
        return null;
    }

    /// <summary>The sequence number after which a page of events starts; 0 on the first page.</summary>
    public long AfterSeq()
    {
        var position = Position();
        if (position is null)
        {
            return 0;
        }

        if (Cursors.ReadSeq(position) is { } seq)
        {
            return seq;
        }

        Problem ??= BadCursor();
        return 0;
    }

    /// <summary>The cursor of the page after the one that ends at (created, id).</summary>
    public string Next(DateTimeOffset createdAt, Guid id) => _cursors.Encode(_caller, _route, Filters, Cursors.Position(createdAt, id));

    /// <summary>The cursor of the page of events after the one that ends at <paramref name="seq"/>.</summary>
    public string Next(long seq) => _cursors.Encode(_caller, _route, Filters, Cursors.Position(seq));

    /// <summary>
    /// One page of <paramref name="items"/> (already narrowed to what the caller may see, and filtered)
    /// in (created, id) order after the cursor's position, with the next page's cursor.
    /// </summary>
    public async Task<(List<T> Items, string? Next)> PageAsync<T>(IQueryable<T> items, Expression<Func<T, DateTimeOffset>> createdAt, Expression<Func<T, Guid>> id,
        (DateTimeOffset CreatedAt, Guid Id)? after, CancellationToken cancellationToken)
    {
        var row = createdAt.Parameters[0];
        var created = createdAt.Body;
        var key = new Rebind(id.Parameters[0], row).Visit(id.Body);
        if (after is { } position)
        {
            // created > at OR (created = at AND id > last)
            var boxed = Expression.Constant(new Keyset(position.CreatedAt, position.Id));
            var at = Expression.Property(boxed, nameof(Keyset.CreatedAt));
            var last = Expression.Property(boxed, nameof(Keyset.Id));
            var beyond = Expression.OrElse(Expression.GreaterThan(created, at), Expression.AndAlso(Expression.Equal(created, at), Expression.GreaterThan(key, last)));
            items = items.Where(Expression.Lambda<Func<T, bool>>(beyond, row));
        }

        var page = await items.OrderBy(createdAt).ThenBy(Expression.Lambda<Func<T, Guid>>(key, row)).Take(_limit + 1).ToListAsync(cancellationToken);
        if (page.Count <= _limit)
        {
            return (page, null);
        }

        page.RemoveAt(_limit);
        var (readCreated, readId) = (createdAt.Compile(preferInterpretation: true), id.Compile(preferInterpretation: true));
        return (page, Next(readCreated(page[^1]), readId(page[^1])));
    }

    /// <summary>The filters as the cursor binds them: every filter read, in order, each with its canonical value (empty when absent).</summary>
    private string Filters => string.Join("&", _filters);

    private T? Parse<T>(string name, Func<string, (bool Ok, T? Value)> parse, string expected, Func<T, string>? canonical = null)
    {
        var text = _query[name].ToString();
        if (text.Length == 0)
        {
            _filters.Add($"{name}=");
            return default;
        }

        var (ok, value) = parse(text);
        if (!ok)
        {
            Problem ??= Problems.Invalid(name, text, expected);
            return default;
        }

        _filters.Add($"{name}={(canonical is null ? text : canonical(value!))}");
        return value;
    }

    // The cursor's position, once the limit is read; null on the first page (or when something is already wrong).
    private byte[]? Position()
    {
        if (_query["limit"].ToString() is { Length: > 0 } text
            && (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out _limit) || _limit is < 1 or > MaxLimit))
        {
            _limit = DefaultLimit;
            Problem ??= Problems.Invalid("limit", text, $"a whole number from 1 to {MaxLimit}");
        }

        if (Problem is not null || _query["cursor"].ToString() is not { Length: > 0 } cursor)
        {
            return null;
        }

        var position = _cursors.Decode(cursor, _caller, _route, Filters);
        if (position is null)
        {
            Problem = BadCursor();
        }

        return position;
    }

    private static ProblemHttpResult BadCursor() => TypedResults.Problem(
        "the cursor is not one this server issued for this caller, route and filters; start again without a cursor",
        statusCode: StatusCodes.Status400BadRequest, title: "Invalid cursor",
        extensions: new Dictionary<string, object?> { ["field"] = "cursor", ["expected"] = "the 'next' of the previous page with the same filters" });

    // A keyset position held so that EF Core sends it as parameters, not literals.
    private sealed record Keyset(DateTimeOffset CreatedAt, Guid Id);

    private sealed class Rebind(ParameterExpression from, ParameterExpression to) : ExpressionVisitor
    {
        protected override Expression VisitParameter(ParameterExpression node) => node == from ? to : node;
    }
}
