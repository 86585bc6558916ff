using Jailgrade.Cli.Hosting;
using Jailgrade.Registry.Identity;

namespace Jailgrade.Cli.Remote;

/// <summary>
/// The caller's API key, from a file only its owner may read (<c>--key-file</c>) or from
/// <c>JAILGRADE_KEY</c>; never from a command-line value, which any user sees in <c>ps</c>
/// (SECURITY.md 1). Messages name the key by its public part only (<c>jg_live_&lt;id&gt;</c>).
/// </summary>
internal sealed class ClientKey
{
    public const string Variable = "JAILGRADE_KEY";

    private const int MaxFileBytes = 4096;

    private ClientKey(string secret, string display)
    {
        Secret = secret;
        Display = display;
    }

    /// <summary>The whole key, for the Authorization header only.</summary>
    public string Secret { get; }

    /// <summary><c>jg_&lt;env&gt;_&lt;id&gt;</c>: what may be shown of the key.</summary>
    public string Display { get; }

    public static ClientKey Read(string? keyFile, Func<string, string?> environment)
    {
        if (keyFile is not null)
        {
            return FromFile(keyFile);
        }

        if (environment(Variable) is { Length: > 0 } value)
        {
            return Parse(value.Trim(), $"{Variable} does not hold an API key", ExitCode.UsageError);
        }

        throw new RemoteException(ExitCode.UsageError, $"no API key: name the file that holds yours with --key-file FILE, or set {Variable}");
    }

    private static ClientKey FromFile(string path)
    {
        if (!File.Exists(path))
        {
            throw new RemoteException(ExitCode.IoError, $"key file {path} not found");
        }

        if (!OperatingSystem.IsWindows())
        {
            var mode = File.GetUnixFileMode(path);
            const UnixFileMode Others = UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute
                | UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;
            if ((mode & Others) != 0)
            {
                throw new RemoteException(ExitCode.IoError,
                    $"key file {path}: its group or others may access it (mode {Convert.ToString((int)mode, 8)}); expected 600 (chmod 600 '{path}')");
            }
        }

        if (new FileInfo(path).Length > MaxFileBytes)
        {
            throw new RemoteException(ExitCode.IoError, $"key file {path} holds more than {MaxFileBytes} bytes: not an API key (a key file is one line)");
        }

        return Parse(File.ReadAllText(path).Trim(), $"key file {path} does not hold an API key", ExitCode.IoError);
    }

    // The refusal never quotes what was found: it may be a key of another shape, or a password.
    private static ClientKey Parse(string text, string refusal, ExitCode code) =>
        ApiKeys.TryParse(text, out var environment, out var id, out _)
            ? new ClientKey(text, $"jg_{environment}_{id}")
            : throw new RemoteException(code, $"{refusal} (expected one line, jg_<env>_<id>_<secret>, as 'admin init' or 'users create' wrote it)");
}
