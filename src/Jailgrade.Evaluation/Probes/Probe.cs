namespace Jailgrade.Evaluation.Probes;

/// <summary>
/// One request of a campaign: the behavior text, its JG hazard domain (the category statistics and
/// evidence use), the source's own category, and its task id (distinct tasks give <c>BR</c>).
/// </summary>
public sealed record Probe(string Id, string Task, string Domain, string Category, string Text, string Source)
{
    /// <summary>For finished attack artifacts: the attempt as the source recorded it.</summary>
    public RecordedAttempt? Recorded { get; init; }

    /// <summary>Whether a recorded attempt's prompt is sent to the campaign's targets rather than graded as recorded.</summary>
    public bool Replay { get; init; }

    /// <summary>Whether the source's behavior refers to an image that was ignored (a multimodal source read with <c>text_only: true</c>).</summary>
    public bool HasImage { get; init; }

    /// <summary>Whether running this probe sends requests to the campaign's targets.</summary>
    public bool IsSent => Recorded is null || Replay;
}

/// <summary>An attempt someone else ran: graded and reproduced without re-running it.</summary>
/// <param name="Target">The model the source attacked.</param>
/// <param name="Attack">The source's attack method.</param>
/// <param name="Prompt">The prompt the source sent; empty when the source recorded none (see <see cref="HasPrompt"/>).</param>
/// <param name="Response">The model's response, or null when the source sent nothing.</param>
/// <param name="Jailbroken">The source's own label.</param>
public sealed record RecordedAttempt(string Target, string Attack, string Prompt, string? Response, bool? Jailbroken)
{
    /// <summary>The source's attack type (JailbreakBench: <c>white_box</c>, <c>black_box</c>, <c>transfer</c>, <c>manual</c>), when it says.</summary>
    public string? AttackType { get; init; }

    /// <summary>
    /// The attack as results name it, after <c>artifact:</c>: the method and, when the source gives one,
    /// its attack type (<c>GCG/white_box</c>), so that white-box and transfer runs of one method stay apart.
    /// </summary>
    public string AttackId => AttackType is { Length: > 0 } type ? Attack + "/" + type : Attack;

    /// <summary>Whether the source recorded a prompt; one without (JailbreakBench's <c>"prompt": null</c>) has nothing to replay.</summary>
    public bool HasPrompt => Prompt.Length > 0;
}

/// <summary>A probe as an importer reads it, before its category is mapped to a JG domain.</summary>
/// <param name="Line">The 1-based line the probe starts on.</param>
public sealed record ImportedProbe(string Id, string Task, string? Category, string? Domain, string Text, int Line)
{
    /// <summary>The recorded attempt, for attack-artifact formats.</summary>
    public RecordedAttempt? Recorded { get; init; }

    /// <summary>The 1-based character column the probe starts at.</summary>
    public int Column { get; init; } = 1;

    /// <summary>Where the category value starts, for errors about it; null when the probe has none.</summary>
    public (int Line, int Column)? CategoryPosition { get; init; }

    /// <summary>Where the domain value starts, for errors about it; null when the probe has none.</summary>
    public (int Line, int Column)? DomainPosition { get; init; }

    /// <summary>The image the behavior refers to (HarmBench's multimodal <c>ImageFileName</c>); null for text behaviors.</summary>
    public string? Image { get; init; }

    /// <summary>Where the image value starts, for the error that refuses a multimodal source.</summary>
    public (int Line, int Column)? ImagePosition { get; init; }
}

/// <summary>
/// A probe file that could not be read: file, line, column and why, printed like a campaign error
/// (<c>file:line:column: message</c>). Line and column are 1-based; both are 0 when the problem is the whole file.
/// One exception may carry every error of a file (<see cref="Errors"/>, <see cref="Of"/>): its message
/// then has one line per error, in file order, the first one's position being its own.
/// </summary>
public sealed class ProbeFormatException : Exception
{
    /// <summary>An error at a position.</summary>
    public ProbeFormatException(string file, int line, int column, string message)
        : base($"{file}:{line}:{column}: {message}")
    {
        File = file;
        Line = line;
        Column = column;
        Problem = message;
        Errors = [this];
    }

    /// <summary>An error at a position, as (line, column).</summary>
    public ProbeFormatException(string file, (int Line, int Column) position, string message)
        : this(file, position.Line, position.Column, message)
    {
    }

    private ProbeFormatException(IReadOnlyList<ProbeFormatException> errors)
        : base(string.Join('\n', errors.Select(e => e.Message)))
    {
        (File, Line, Column, Problem) = (errors[0].File, errors[0].Line, errors[0].Column, errors[0].Problem);
        Errors = errors;
    }

    /// <summary>
    /// Several errors as one, reported as every loader reports them (docs/campaigns.md, "Limits"): in
    /// file order, the first 100, then <c>and N more errors</c> at the first one left out.
    /// </summary>
    public static ProbeFormatException Of(IEnumerable<ProbeFormatException> errors)
    {
        var reported = Yaml.YamlLimits.Report(errors.SelectMany(e => e.Errors), e => (e.Line, e.Column), dropped: 0, (e, message) => new ProbeFormatException(e.File, e.Line, e.Column, message));
        return reported.Count == 1 ? reported[0] : new ProbeFormatException(reported);
    }

    /// <summary>The file.</summary>
    public string File { get; }

    /// <summary>The 1-based line (0 when the problem is the whole file).</summary>
    public int Line { get; }

    /// <summary>The 1-based character column (0 when the problem is the whole file).</summary>
    public int Column { get; }

    /// <summary>What is wrong: the offending value where there is one, and what was expected.</summary>
    public string Problem { get; }

    /// <summary>Every error this exception reports, in file order (itself alone for one error).</summary>
    public IReadOnlyList<ProbeFormatException> Errors { get; }
}

/// <summary>Reads a probe file format.</summary>
public interface IProbeImporter : IEvaluationPlugin
{
    /// <summary>The documented table from the source's categories to JG hazard domains (docs/evaluation/importers.md).</summary>
    IReadOnlyDictionary<string, string> DefaultDomains { get; }

    /// <summary>Whether the format carries categories; without them a probe entry must give <c>domain</c>.</summary>
    bool HasCategories { get; }

    /// <summary>Reads every probe of a file in file order; throws <see cref="ProbeFormatException"/>.</summary>
    IReadOnlyList<ImportedProbe> Read(string path);

    /// <summary>
    /// Reads what it can: a format read entry by entry (JSON Lines) adds each bad entry's error to
    /// <paramref name="errors"/> and goes on with the next, so that every bad line is reported;
    /// others throw at the first, as <see cref="Read(string)"/> does.
    /// </summary>
    IReadOnlyList<ImportedProbe> Read(string path, ICollection<ProbeFormatException> errors) => Read(path);
}

/// <summary>A built-in probe set shipped with the tool.</summary>
public interface IProbeSet : IEvaluationPlugin
{
    /// <summary>Every probe of the set.</summary>
    IReadOnlyList<Probe> Probes { get; }
}
