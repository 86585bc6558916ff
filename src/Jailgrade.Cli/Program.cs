using Jailgrade.Cli.Hosting;

return await JailgradeCli.RunAsync(args, CliContext.FromConsole());
