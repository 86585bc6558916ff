using System.CommandLine;

namespace Jailgrade.Cli.Hosting;

/// <summary>A verb: a <see cref="Command"/> whose <c>--help</c> ends with worked examples.</summary>
internal sealed class VerbCommand(string name, string description) : Command(name, description)
{
    /// <summary>Example command lines, each with a one-line comment, shown at the end of <c>--help</c>.</summary>
    public IList<(string CommandLine, string Comment)> Examples { get; } = [];

    /// <summary>Adds an example and returns the command, for fluent set-up.</summary>
    public VerbCommand WithExample(string commandLine, string comment)
    {
        Examples.Add((commandLine, comment));
        return this;
    }
}
