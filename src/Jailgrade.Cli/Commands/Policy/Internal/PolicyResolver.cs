using Jailgrade.Cli.Hosting;
using Jailgrade.Policy;

namespace Jailgrade.Cli.Commands.Policy.Internal;

/// <summary>Finds a policy named on the command line: a built-in id, or a file path.</summary>
internal static class PolicyResolver
{
    /// <summary>
    /// Loads <paramref name="idOrFile"/>; on failure writes every error (file:line:column) to standard
    /// error and returns the exit code to use.
    /// </summary>
    public static (JgPolicy? Policy, ExitCode Code) Resolve(string idOrFile, CliContext context, string verb)
    {
        if (BuiltinPolicies.Find(idOrFile) is { } builtin)
        {
            return (builtin, ExitCode.Success);
        }

        if (!File.Exists(idOrFile))
        {
            context.Error.WriteLine($"jailgrade {verb}: '{idOrFile}' is neither a built-in policy ({string.Join(", ", BuiltinPolicies.Ids)}) nor a file.");
            return (null, ExitCode.IoError);
        }

        var result = PolicyLoader.LoadFile(idOrFile);
        foreach (var error in result.Errors)
        {
            context.Error.WriteLine(error.ToString());
        }

        return result.Succeeded ? (result.Policy, ExitCode.Success) : (null, ExitCode.InvalidInput);
    }

    /// <summary><c>us-frontier 1.0.0</c>: how summaries name a policy.</summary>
    public static string Describe(JgPolicy policy) => $"{policy.Id} {policy.Version}";
}
