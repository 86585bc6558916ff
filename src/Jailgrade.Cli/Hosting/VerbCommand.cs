using System.CommandLine;

namespace Jailgrade.Cli.Hosting;

/// <summary>
/// A verb: a <see cref="Command"/> with a one-line summary (shown in command lists), optional details
/// and worked examples (shown at the end of its own <c>--help</c>).
/// </summary>
internal sealed class VerbCommand(string name, string summary, string? details = null) : Command(name, summary)
{
    /// <summary>Paragraphs that explain the verb beyond its summary.</summary>
    public string? Details { get; } = details;

    /// <summary>Example command lines, each with a one-line comment, shown at the end of <c>--help</c>.</summary>
    public IList<(string CommandLine, string Comment)> Examples { get; } = [];

    /// <summary>Adds an example and returns the command, for fluent set-up.</summary>
    public VerbCommand WithExample(string commandLine, string comment)
    {
        Examples.Add((commandLine, comment));
        return this;
    }
}
