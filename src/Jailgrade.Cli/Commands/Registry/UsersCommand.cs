using System.CommandLine;
using Jailgrade.Cli.Commands.Registry.Internal;
using Jailgrade.Cli.Hosting;
using Jailgrade.Registry.Administration;
using Jailgrade.Registry.Internal;
using Jailgrade.Registry.Organizations;

namespace Jailgrade.Cli.Commands.Registry;

/// <summary><c>jailgrade users</c>: the registry's users and their API keys.</summary>
internal static class UsersCommand
{
    public static Command Create(CliContext context) =>
        new("users", "Manage the case registry's users and their API keys.")
        {
            CreateAdd(context),
            // Through a registry server's API:
            UsersRemoteVerbs.CreateList(context),
            UsersRemoteVerbs.CreateCreate(context),
        };

    private static VerbCommand CreateAdd(CliContext context)
    {
        var db = RegistrySupport.DbOption();
        var migrateDb = RegistrySupport.MigrateDbOption();
        var org = new Option<string>("--org") { Description = "The user's organization (by name).", HelpName = "name", Required = true };
        var newOrg = new Option<string?>("--new-org") { Description = $"Create the organization, of this kind: {string.Join(", ", LowerCaseEnumNames<OrganizationKind>.All)}.", HelpName = "kind" };
        var role = new Option<string>("--role") { Description = $"The user's role: {string.Join(", ", LowerCaseEnumNames<Role>.All)}.", HelpName = "role", Required = true };
        var name = new Option<string>("--name") { Description = "The user's name, unique in the organization.", Required = true };
        var keyOut = new Option<string?>("--key-out") { Description = "New file (mode 600) for the user's API key; without it the key is printed.", HelpName = "path" };
        var command = new VerbCommand("add", "Add a user with an API key, directly in the registry's database (the operator's verb).", """
            Works on the database directly (an operator's verb): adds the user and a new API key, valid 90 days,
            stored only as a hash. An organization is created only with --new-org. A role belongs to its kind of
            organization: admin to the operator, regulator to an authority, lab to a lab, auditor to an auditor.
            """)
        {
            db, migrateDb, org, newOrg, role, name, keyOut,
        };
        command.WithExample("jailgrade users add --org \"Example Lab\" --new-org lab --role lab --name alice --key-out alice.key", "a lab, its first user and her key");
        command.SetAction((parseResult, cancellationToken) => RegistrySupport.RunAsync(context, "users add", async () =>
        {
            if (!LowerCaseEnumNames<Role>.TryParse(parseResult.GetValue(role)!, out var parsedRole))
            {
                await context.Error.WriteLineAsync($"jailgrade users add: --role '{parseResult.GetValue(role)}': expected one of {string.Join(", ", LowerCaseEnumNames<Role>.All)}.");
                return (int)ExitCode.UsageError;
            }

            OrganizationKind? kind = null;
            if (parseResult.GetValue(newOrg) is { } kindName)
            {
                if (!LowerCaseEnumNames<OrganizationKind>.TryParse(kindName, out var parsedKind))
                {
                    await context.Error.WriteLineAsync($"jailgrade users add: --new-org '{kindName}': expected one of {string.Join(", ", LowerCaseEnumNames<OrganizationKind>.All)}.");
                    return (int)ExitCode.UsageError;
                }

                kind = parsedKind;
            }

            var keyFile = parseResult.GetValue(keyOut);
            if (keyFile is not null && File.Exists(keyFile))
            {
                await context.Error.WriteLineAsync($"jailgrade users add: --key-out {keyFile} exists; name a new file (an API key is never written over another).");
                return (int)ExitCode.UsageError;
            }

            var database = RegistrySupport.Database(context, parseResult.GetValue(db), parseResult.GetValue(migrateDb));
            var (key, display) = await RegistryAdmin.AddUserAsync(database, parseResult.GetValue(org)!, kind, parseResult.GetValue(name)!, parsedRole, context.Time, cancellationToken);
            await RegistrySupport.WriteKeyAsync(context, key, display, keyFile);
            return (int)ExitCode.Success;
        }));
        return command;
    }
}
