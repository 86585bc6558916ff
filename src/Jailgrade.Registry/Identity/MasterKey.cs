using System.Security.Cryptography;
using System.Text;

namespace Jailgrade.Registry.Identity;

/// <summary>
/// The registry's master key (SECURITY.md 4): 32 random bytes with a key id, kept in a file of its own
/// (mode 0600, never beside the database). Keys for each purpose are derived with HKDF-SHA256, so no
/// key serves two purposes.
/// </summary>
public sealed class MasterKey
{
    private const string Header = "jailgrade-master-key/v1";
    private readonly byte[] _key;

    private MasterKey(string id, byte[] key)
    {
        Id = id;
        _key = key;
    }

    /// <summary>The key id (8 lower-case hex characters), recorded in the database at <c>admin init</c>.</summary>
    public string Id { get; }

    /// <summary>A new random key.</summary>
    public static MasterKey Generate() => new(Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4)), RandomNumberGenerator.GetBytes(32));

    /// <summary>The default path: <c>$XDG_CONFIG_HOME/jailgrade/master.key</c>, else <c>~/.config/jailgrade/master.key</c>.</summary>
    public static string DefaultPath(Func<string, string?> environment)
    {
        var config = environment("XDG_CONFIG_HOME") is { Length: > 0 } xdg
            ? xdg
            : Path.Combine(environment("HOME") ?? Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".config");
        return Path.Combine(config, "jailgrade", "master.key");
    }

    /// <summary>
    /// Refuses a key path in the directory of the SQLite database or below it: a backup or copy of that
    /// directory would carry the key with the data it protects.
    /// </summary>
    public static void CheckNotBesideDatabase(string keyPath, string? databasePath)
    {
        if (databasePath is null)
        {
            return;
        }

        var databaseDirectory = Path.GetDirectoryName(Path.GetFullPath(databasePath))!;
        var keyDirectory = Path.GetDirectoryName(Path.GetFullPath(keyPath))!;
        var inside = keyDirectory == databaseDirectory || keyDirectory.StartsWith(databaseDirectory.TrimEnd('/') + "/", StringComparison.Ordinal);
        if (inside)
        {
            throw new MasterKeyException($"master key file {keyPath}: it is in the database's directory ({databaseDirectory}), so a backup of the database would carry its key; put it elsewhere (default ~/.config/jailgrade/master.key)");
        }
    }

    /// <summary>Writes a new key file, mode 0600, refusing to overwrite one.</summary>
    public void WriteNew(string path)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(path))!;
        if (!OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
        else
        {
            Directory.CreateDirectory(directory);
        }

        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        try
        {
            using var stream = new FileStream(path, options);
            stream.Write(Encoding.ASCII.GetBytes($"{Header} {Id} {Convert.ToBase64String(_key)}\n"));
            stream.Flush(flushToDisk: true);
        }
        catch (IOException e) when (File.Exists(path))
        {
            throw new MasterKeyException($"master key file {path} already exists; give it with --master-key-file to use it, or choose a new path ({e.Message})");
        }
    }

    /// <summary>
    /// The key in <paramref name="path"/>, or a new one written there (mode 0600) when the file does not
    /// exist; refused in the SQLite database's directory either way.
    /// </summary>
    public static (MasterKey Key, bool Created) LoadOrCreate(string path, string? databasePath)
    {
        CheckNotBesideDatabase(path, databasePath);
        if (File.Exists(path))
        {
            return (Load(path), false);
        }

        var key = Generate();
        key.WriteNew(path);
        return (key, true);
    }

    /// <summary>Reads a key file, refusing one that its group or others may read.</summary>
    public static MasterKey Load(string path)
    {
        if (!File.Exists(path))
        {
            throw new MasterKeyException($"master key file {path} not found; the server needs the key 'jailgrade admin init' created (--master-key-file or JAILGRADE_MASTER_KEY_FILE)");
        }

        if (!OperatingSystem.IsWindows())
        {
            var mode = File.GetUnixFileMode(path);
            const UnixFileMode Others = UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute
                | UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;
            if ((mode & Others) != 0)
            {
                throw new MasterKeyException($"master key file {path}: its group or others may access it (mode {Convert.ToString((int)mode, 8)}); expected 600 (chmod 600 '{path}')");
            }
        }

        var parts = File.ReadAllText(path).Trim().Split(' ');
        byte[]? key = null;
        if (parts is [Header, var id, var encoded] && id.Length == 8)
        {
            try
            {
                key = Convert.FromBase64String(encoded);
            }
            catch (FormatException)
            {
                key = null;
            }
        }

        if (key is not { Length: 32 })
        {
            throw new MasterKeyException($"master key file {path}: expected '{Header} <key id> <32 bytes in base64>'");
        }

        return new MasterKey(parts[1], key);
    }

    /// <summary>A 32-byte key for one purpose (e.g. <c>jailgrade/data-key-wrap/v1</c>), HKDF-SHA256 from the master key.</summary>
    public byte[] Derive(string purpose) => HKDF.DeriveKey(HashAlgorithmName.SHA256, _key, 32, info: Encoding.UTF8.GetBytes(purpose));
}

/// <summary>A master key file is missing, unsafe, malformed or in the wrong place.</summary>
public sealed class MasterKeyException(string message) : Exception(message);
