using System.CommandLine;
using Jailgrade.Cli.Commands.Registry.Internal;
using Jailgrade.Cli.Hosting;
using Jailgrade.Registry.Administration;

namespace Jailgrade.Cli.Commands.Registry;

/// <summary><c>jailgrade admin</c>: the operator's work on the registry's database.</summary>
internal static class AdminCommand
{
    public static Command Create(CliContext context) =>
        new("admin", "Administer the case registry's database directly (the operator's verbs).")
        {
            CreateInit(context),
            CreateRotateMasterKey(context),
        };

    private static VerbCommand CreateInit(CliContext context)
    {
        var db = RegistrySupport.DbOption();
        var migrateDb = RegistrySupport.MigrateDbOption();
        var masterKey = RegistrySupport.MasterKeyOption("Master key file: used if it exists, created (mode 600) if not; never in the database's directory (JAILGRADE_MASTER_KEY_FILE; default ~/.config/jailgrade/master.key).");
        var keyOut = new Option<string>("--key-out") { Description = "New file (mode 600) for the administrator's API key.", HelpName = "path", Required = true };
        var org = new Option<string>("--org") { Description = "Name of the operator's organization.", DefaultValueFactory = _ => "Registry operator" };
        var name = new Option<string>("--name") { Description = "The administrator's user name.", DefaultValueFactory = _ => "admin" };
        var origin = new Option<string>("--origin") { Description = "The log's origin, the name its checkpoints will carry.", DefaultValueFactory = _ => "jailgrade.local/registry" };
        var command = new VerbCommand("init", "Create the registry's first administrator, its API key and the master key.", """
            Works on the database directly: migrates it, then creates the operator organization, the first
            administrator and its API key, records the log origin and the master key's id. Refused when an
            administrator exists. The API key goes to a new file only it may read (shown on a terminal too);
            the master key is created unless --master-key-file names an existing one, and is refused in the
            database's directory, so a backup of the database does not carry its key.
            """)
        {
            db, migrateDb, masterKey, keyOut, org, name, origin,
        };
        command.WithExample("jailgrade admin init --key-out admin.key", "./jailgrade.db, the master key in ~/.config/jailgrade/master.key");
        command.SetAction((parseResult, cancellationToken) => RegistrySupport.RunAsync(context, "admin init", async () =>
        {
            var database = RegistrySupport.Database(context, parseResult.GetValue(db), parseResult.GetValue(migrateDb));
            var keyPath = RegistrySupport.MasterKeyPath(context, parseResult.GetValue(masterKey));
            var keyFile = parseResult.GetValue(keyOut)!;
            if (File.Exists(keyFile))
            {
                await context.Error.WriteLineAsync($"jailgrade admin init: --key-out {keyFile} exists; name a new file (an API key is never written over another).");
                return (int)ExitCode.UsageError;
            }

            var done = await RegistryAdmin.InitializeAsync(database, keyPath, parseResult.GetValue(org)!, parseResult.GetValue(name)!, parseResult.GetValue(origin)!, context.Time, cancellationToken);
            await context.Error.WriteLineAsync(done.MasterKeyCreated
                ? $"Master key {done.MasterKeyId} created in {done.MasterKeyPath} (mode 600): keep it apart from the database and back it up separately."
                : $"Using master key {done.MasterKeyId} from {done.MasterKeyPath}.");
            await RegistrySupport.WriteKeyAsync(context, done.ApiKey, done.KeyDisplay, keyFile);
            await context.Error.WriteLineAsync($"Registry initialized on {database.Display}.");
            return (int)ExitCode.Success;
        }));
        return command;
    }

    private static VerbCommand CreateRotateMasterKey(CliContext context)
    {
        var db = RegistrySupport.DbOption();
        var migrateDb = RegistrySupport.MigrateDbOption();
        var masterKey = RegistrySupport.MasterKeyOption("The registry's current master key (JAILGRADE_MASTER_KEY_FILE; default ~/.config/jailgrade/master.key).");
        var newMasterKey = new Option<string>("--new-master-key-file") { Description = "The new master key: used if it exists, created (mode 600) if not; never in the database's directory.", HelpName = "path", Required = true };
        var batchSize = new Option<int>("--batch-size") { Description = "Data keys rewrapped per transaction.", DefaultValueFactory = _ => MasterKeyRotation.DefaultBatchSize };
        var command = new VerbCommand("rotate-master-key", "Rewrap every case's data key under a new master key.", """
            Works on the database directly; stop the server first. Checks that --master-key-file holds the
            registry's current key, then rewraps every data key under the new key in batches, each batch one
            transaction, and makes the new key current once none is left under the old one (an event records
            it). Interrupted, it is finished by running it again. Afterwards serve with the new key; the old
            one can be destroyed (keep it beside the new one for 24 hours to answer retries of idempotent
            requests made before). docs/deploy.md, "Rotating the master key".
            """)
        {
            db, migrateDb, masterKey, newMasterKey, batchSize,
        };
        command.WithExample("jailgrade admin rotate-master-key --new-master-key-file ~/.config/jailgrade/master-2.key",
            "./jailgrade.db, from ~/.config/jailgrade/master.key to a new key created in master-2.key");
        command.SetAction((parseResult, cancellationToken) => RegistrySupport.RunAsync(context, "admin rotate-master-key", async () =>
        {
            var size = parseResult.GetValue(batchSize);
            if (size < 1)
            {
                await context.Error.WriteLineAsync($"jailgrade admin rotate-master-key: --batch-size {size}: expected a number of data keys, at least 1.");
                return (int)ExitCode.UsageError;
            }

            var database = RegistrySupport.Database(context, parseResult.GetValue(db), parseResult.GetValue(migrateDb));
            var newKeyPath = parseResult.GetValue(newMasterKey)!;
            MasterKeyRotation.Rotated done;
            try
            {
                done = await MasterKeyRotation.RotateAsync(database, RegistrySupport.MasterKeyPath(context, parseResult.GetValue(masterKey)), newKeyPath, context.Time, size,
                    progress => context.Error.WriteLine($"{progress.Rewrapped} of {progress.Total} data keys under the new key"), cancellationToken);
            }
            catch (OperationCanceledException)
            {
                await context.Error.WriteLineAsync("jailgrade admin rotate-master-key: stopped between batches; the old key is still current. Run the same command again to finish.");
                return (int)ExitCode.Cancelled;
            }

            if (done.AlreadyCurrent)
            {
                await context.Error.WriteLineAsync($"Master key {done.NewKeyId} is already current on {database.Display}: nothing to do.");
                return (int)ExitCode.Success;
            }

            if (done.NewKeyCreated)
            {
                await context.Error.WriteLineAsync($"Master key {done.NewKeyId} created in {Path.GetFullPath(newKeyPath)} (mode 600): back it up apart from the database.");
            }

            await context.Out.WriteLineAsync(done.Total == 1 ? "1 data key rewrapped" : $"{done.Total} data keys rewrapped");
            await context.Error.WriteLineAsync($"Rotated {database.Display} from master key {done.OldKeyId} to {done.NewKeyId}: {done.Total} data keys under the new key, {done.RewrappedNow} of them rewrapped by this run.");
            await context.Error.WriteLineAsync($"Serve with --master-key-file {newKeyPath}; key {done.OldKeyId} can then be destroyed (keep it beside the new one for 24 hours to answer idempotent retries).");
            return (int)ExitCode.Success;
        }));
        return command;
    }
}
