using Jailgrade.Cli.Hosting;
using Jailgrade.Evaluation.Campaigns;
using Jailgrade.Evaluation.Probes;
using Jailgrade.Evaluation.Runner;
using Jailgrade.Evaluation.Storage;

namespace Jailgrade.Cli.Commands.Evaluation.Internal;

/// <summary>What the evaluation verbs share: loading campaigns with readable errors, the results key.</summary>
internal static class EvaluationSupport
{
    /// <summary>The user's configuration directory (XDG on Unix).</summary>
    public static string ConfigDirectory(CliContext context) =>
        context.Environment("XDG_CONFIG_HOME") is { Length: > 0 } xdg
            ? xdg
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".config");

    /// <summary>
    /// The user's results key, or null after reporting why there is none. Only a writer (<paramref name="create"/>)
    /// makes a new key, and says once where it is, what losing it costs and how to hand one directory over.
    /// </summary>
    public static ResultsKey? Key(CliContext context, string outputDirectory, bool create)
    {
        try
        {
            return PayloadKey.Resolve(context.Environment, ConfigDirectory(context), outputDirectory, create, path =>
            {
                context.Error.WriteLine($"Created the results key {path} (readable by you only). It wraps each results directory's own");
                context.Error.WriteLine($"  data key: back it up, since losing it loses every run's prompts and responses; {PayloadKey.Variable} (base64)");
                context.Error.WriteLine("  overrides it. To hand one directory to an auditor: jailgrade eval export-key DIR --key-out FILE.");
            });
        }
        catch (Exception e) when (e is ResultsKeyException or IOException or UnauthorizedAccessException)
        {
            context.Error.WriteLine($"jailgrade: results key: {e.Message}");
            return null;
        }
    }

    /// <summary>
    /// Loads a campaign and its probes; reports every problem as <c>file:line:column: message</c>. On
    /// failure the campaign is null and <c>Failure</c> says how to exit: invalid input, or an I/O error
    /// for a file that exists but cannot be read.
    /// </summary>
    public static (Campaign? Campaign, IReadOnlyList<Probe> Probes, ExitCode Failure) Load(CliContext context, string path)
    {
        var (campaign, loaded, failure) = LoadSources(context, path);
        return (campaign, loaded?.Probes ?? [], failure);
    }

    /// <summary>
    /// <see cref="Load"/> with what the manifest records of each source; the import's warnings (images
    /// ignored, behaviors with no prompt) go to stderr before anything is sent.
    /// </summary>
    public static (Campaign? Campaign, LoadedProbes? Probes, ExitCode Failure) LoadSources(CliContext context, string path)
    {
        try
        {
            var campaign = new CampaignLoader(Jailgrade.Evaluation.EvaluationRegistry.Default).Load(path);
            var loaded = ProbeLoader.LoadSources(campaign, Jailgrade.Evaluation.EvaluationRegistry.Default);
            foreach (var warning in loaded.Warnings)
            {
                context.Error.WriteLine($"jailgrade: warning: {warning}");
            }

            return (campaign, loaded, ExitCode.Success);
        }
        catch (FileNotFoundException e) when (e.FileName == path)
        {
            context.Error.WriteLine($"jailgrade: {e.Message}");
            return (null, null, ExitCode.IoError);
        }
        catch (CampaignException e)
        {
            foreach (var error in e.Errors)
            {
                context.Error.WriteLine(error.ToString());
            }
        }
        catch (ProbeFormatException e)
        {
            context.Error.WriteLine(e.Message);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            context.Error.WriteLine($"jailgrade: cannot read the campaign or one of its probe files: {e.Message}");
            return (null, null, ExitCode.IoError);
        }

        return (null, null, ExitCode.InvalidInput);
    }

    /// <summary>Warns once per target whose samples the campaign seed cannot reproduce.</summary>
    public static void WarnUnseededTargets(CliContext context, Campaign campaign)
    {
        foreach (var target in campaign.Targets.Where(t => !Manifest.IsSeeded(t)))
        {
            context.Error.WriteLine($"jailgrade: warning: target '{target.Id}': provider '{target.Provider}' takes no seed; samples are not reproducible from the campaign seed (set temperature: 0 when that matters)");
        }
    }

    /// <summary>Whether <paramref name="directory"/> holds a <c>results.db</c>; says so when it does not.</summary>
    public static bool IsResultsDirectory(CliContext context, string directory)
    {
        if (File.Exists(Path.Combine(directory, ResultStore.FileName)))
        {
            return true;
        }

        context.Error.WriteLine($"jailgrade: {directory} is not a results directory (no {ResultStore.FileName}).");
        return false;
    }

    /// <summary>Reads a results directory, or reports why it cannot and returns null.</summary>
    public static Jailgrade.Evaluation.Reports.ResultsDirectory? LoadResults(CliContext context, string directory) =>
        Reporting(context, () => Jailgrade.Evaluation.Reports.ResultsDirectory.Load(directory));

    /// <summary>Reads a results directory's header and request rows, or reports why it cannot and returns null.</summary>
    public static (Jailgrade.Evaluation.Reports.ResultsHeader Header, IReadOnlyList<Jailgrade.Evaluation.Storage.RequestRow> Rows)? LoadRequestRows(CliContext context, string directory) =>
        Reporting<(Jailgrade.Evaluation.Reports.ResultsHeader, IReadOnlyList<Jailgrade.Evaluation.Storage.RequestRow>)?>(
            context, () => Jailgrade.Evaluation.Reports.ResultsHeader.LoadRequestRows(directory));

    // A directory that is not a results directory, or a calibration of another judge, is the user's to fix.
    private static T? Reporting<T>(CliContext context, Func<T> load)
    {
        try
        {
            return load();
        }
        catch (Exception e) when (e is FileNotFoundException or InvalidDataException)
        {
            context.Error.WriteLine($"jailgrade: {e.Message}");
            return default;
        }
    }

    /// <summary>The output directory: the option, else the campaign's, relative to the campaign file.</summary>
    public static string OutputDirectory(Campaign campaign, string? option) =>
        option ?? (Path.IsPathRooted(campaign.Output)
            ? campaign.Output
            : Path.Combine(Path.GetDirectoryName(Path.GetFullPath(campaign.FilePath)) ?? ".", campaign.Output));
}
