using System.CommandLine;
using Jailgrade.Cli.Hosting;
using Jailgrade.Standard.Calculator;

namespace Jailgrade.Cli.Commands.Standard;

/// <summary><c>jailgrade calculator</c>: the zero-install calculator page, or its hash.</summary>
internal sealed class CalculatorCommand(CliContext context)
{
    public static Command Create(CliContext context)
    {
        var sha = new Option<bool>("--sha256") { Description = "Print only the SHA-256 of the page's bytes (compare with the README)." };
        var command = new VerbCommand("calculator", "Write the calculator: one HTML page that scores JG 1.0 vectors offline.", """
            One static page with the standard's definition and a second, independent implementation of
            the standard in JavaScript: score, band, CJS band, sub-scores, contributions, the changes
            that move the band, the current score, a permalink. No network, no external assets, its
            own Content Security Policy. The same bytes on every run; --sha256 prints their hash.
            """)
        {
            sha,
        };
        command.WithExample("jailgrade calculator > jg.html", "write the page; open it in a browser or mail it")
            .WithExample("jailgrade calculator --sha256", "the hash a release publishes for the page");
        command.SetAction((parseResult, _) => Task.FromResult((int)new CalculatorCommand(context).Run(parseResult.GetValue(sha))));
        return command;
    }

    public ExitCode Run(bool hashOnly)
    {
        if (hashOnly)
        {
            context.Out.WriteLine(CalculatorPage.Sha256());
            return ExitCode.Success;
        }

        context.Out.Flush();
        CalculatorPage.Write(context.Output);
        return ExitCode.Success;
    }
}
