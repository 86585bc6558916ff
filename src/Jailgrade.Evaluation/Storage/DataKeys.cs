using System.Security.Cryptography;
using System.Text;

namespace Jailgrade.Evaluation.Storage;

/// <summary>
/// Each results directory's own random data key, which encrypts its payloads. It is kept in
/// <c>DIR/data-keys</c>, one line per results key that may read the directory, each line the data key
/// wrapped under that results key (<see cref="ResultsKey.Wrap"/>): the writer's line first, then one
/// per <c>eval import-key</c>. <c>results.db</c> holds a check (a constant encrypted under the data key),
/// so a data key handed over for another directory is refused by authenticated decryption. No
/// fingerprint is stored: nothing in one directory names the key of another. A directory written
/// before data keys (its <c>results.db</c> records <c>key_id</c>) is read under the results key itself.
/// </summary>
public static class DataKeys
{
    /// <summary>The file beside <c>results.db</c> that holds the wrapped copies of the data key.</summary>
    public const string FileName = "data-keys";

    /// <summary>What starts a data key written by <c>eval export-key</c>: such a file is not a results key.</summary>
    public const string ExportPrefix = "jailgrade-data-key-v1:";

    /// <summary>The meta entry of the check value (a new directory's marker).</summary>
    internal const string CheckMeta = "data_key_check";

    /// <summary>The meta entry of a directory written before data keys: its writer's results key fingerprint.</summary>
    internal const string LegacyMeta = "key_id";

    /// <summary>The associated data of a wrapped data key.</summary>
    internal static readonly string[] WrapContext = ["data-key"];

    private static readonly string[] CheckContext = ["data-key-check"];
    private static readonly byte[] CheckText = Encoding.ASCII.GetBytes("jailgrade data key");

    // A data-keys file is read from directories others hand over: small, and each line exactly one wrapped key.
    private const int MaxFileBytes = 64 * 1024;
    private const int WrappedLength = 1 + 12 + 16 + PayloadCipher.KeySize;

    private const string Header = "# jailgrade: this results directory's data key, wrapped under each results key that may read it (docs/evaluation/storage.md)";

    /// <summary>
    /// The cipher of a store's payloads. A writer (<paramref name="setMeta"/> given) of a new directory
    /// creates its data key; a reader never creates anything.
    /// </summary>
    internal static PayloadCipher Cipher(string directory, ResultsKey key, Func<string, string?> getMeta, Action<string, string>? setMeta)
    {
        if (getMeta(LegacyMeta) is { } fingerprint)
        {
            return fingerprint == key.LegacyFingerprint
                ? key.LegacyCipher()
                : throw new ResultsKeyException($"{directory} was written before per-directory data keys, with another results key (fingerprint {fingerprint}); set {PayloadKey.Variable} to that key.");
        }

        var check = getMeta(CheckMeta);
        var path = Path.Combine(directory, FileName);
        if (File.Exists(path) || check is not null)
        {
            var dataKey = Unlock(directory, key, check);
            if (check is null)
            {
                setMeta?.Invoke(CheckMeta, Check(dataKey));
            }

            return Own(dataKey);
        }

        if (setMeta is null)
        {
            throw new ResultsKeyException($"{directory} has no data key ({FileName} is missing and results.db holds no check): no run stored payloads there.");
        }

        // A new directory: the key file first, durably, and then the check that says this directory has one.
        var fresh = RandomNumberGenerator.GetBytes(PayloadCipher.KeySize);
        Write(path, [key.Wrap(fresh)]);
        setMeta(CheckMeta, Check(fresh));
        return Own(fresh);
    }

    /// <summary>
    /// The data key of <paramref name="directory"/>, opened with <paramref name="key"/>: what
    /// <c>eval export-key</c> hands over. A directory written before data keys has none to hand over.
    /// </summary>
    public static byte[] Export(string directory, ResultsKey key)
    {
        ArgumentNullException.ThrowIfNull(key);
        var check = ReadCheck(directory);
        return Unlock(directory, key, check);
    }

    /// <summary>
    /// Adds <paramref name="dataKey"/>, wrapped under <paramref name="key"/>, to the directory's
    /// <c>data-keys</c>, after checking that it is this directory's data key. Returns false when the
    /// key already opens it (nothing written). <c>results.db</c> itself is only read.
    /// </summary>
    public static bool Import(string directory, byte[] dataKey, ResultsKey key, string source)
    {
        ArgumentNullException.ThrowIfNull(key);
        var check = ReadCheck(directory);
        if (!Verify(dataKey, check))
        {
            throw new ResultsKeyException($"the data key in {source} does not open {directory}: it was exported from another results directory (its check in results.db does not decrypt under it).");
        }

        var path = Path.Combine(directory, FileName);
        var lines = File.Exists(path) ? Read(path) : [];
        if (lines.Any(line => key.Unwrap(line) is { } mine && CryptographicOperations.FixedTimeEquals(mine, dataKey)))
        {
            return false;
        }

        Write(path, [.. lines, key.Wrap(dataKey)]);
        return true;
    }

    /// <summary>A data key as <c>eval export-key</c> writes it: one line, marked so that it is never taken for a results key.</summary>
    public static string FormatExport(byte[] dataKey) => ExportPrefix + Convert.ToBase64String(dataKey) + "\n";

    /// <summary>Reads a data key written by <see cref="FormatExport"/>; <paramref name="source"/> names where it came from.</summary>
    public static byte[] ParseExport(string text, string source)
    {
        ArgumentNullException.ThrowIfNull(text);
        var line = text.Trim();
        if (!line.StartsWith(ExportPrefix, StringComparison.Ordinal))
        {
            throw new ResultsKeyException($"{source} is not a data key written by 'jailgrade eval export-key' (expected one line starting '{ExportPrefix}').");
        }

        try
        {
            var key = Convert.FromBase64String(line[ExportPrefix.Length..]);
            return key.Length == PayloadCipher.KeySize ? key : throw new ResultsKeyException($"{source}: a data key is 32 bytes, this one {key.Length}.");
        }
        catch (FormatException)
        {
            throw new ResultsKeyException($"{source}: the data key after '{ExportPrefix}' is not base64.");
        }
    }

    private static PayloadCipher Own(byte[] dataKey)
    {
        var cipher = new PayloadCipher(dataKey);
        CryptographicOperations.ZeroMemory(dataKey);
        return cipher;
    }

    private static string Check(byte[] dataKey)
    {
        using var cipher = new PayloadCipher(dataKey);
        return Convert.ToBase64String(cipher.Seal(CheckText, CheckContext));
    }

    private static bool Verify(byte[] dataKey, string check)
    {
        using var cipher = new PayloadCipher(dataKey);
        try
        {
            return cipher.Open(Convert.FromBase64String(check), CheckContext).AsSpan().SequenceEqual(CheckText);
        }
        catch (Exception e) when (e is CryptographicException or FormatException)
        {
            return false;
        }
    }

    // The check of a directory's results.db, read as evidence (a private checked copy; nothing written).
    private static string ReadCheck(string directory)
    {
        using var store = ResultStore.OpenForReading(Path.Combine(directory, ResultStore.FileName), key: null);
        if (store.GetMeta(LegacyMeta) is not null)
        {
            throw new ResultsKeyException($"{directory} was written before per-directory data keys: its payloads are under its writer's results key itself, so it has no data key of its own to hand over. Run the campaign again into a new directory, or hand over that results key ({PayloadKey.Variable}) knowing it opens every run it wrote.");
        }

        return store.GetMeta(CheckMeta)
            ?? throw new ResultsKeyException($"{directory} has no data key (results.db holds no check): no run stored payloads there.");
    }

    private static byte[] Unlock(string directory, ResultsKey key, string? check)
    {
        var path = Path.Combine(directory, FileName);
        if (!File.Exists(path))
        {
            throw new ResultsKeyException($"{path} is missing: it holds the directory's data key, wrapped under the results keys that may read it. Copy it with the directory, or import the data key from its owner ('jailgrade eval import-key {directory} --key-file FILE').");
        }

        var lines = Read(path);
        var foreign = false;
        foreach (var line in lines)
        {
            if (key.Unwrap(line) is not { } dataKey)
            {
                continue;
            }

            if (check is null || Verify(dataKey, check))
            {
                return dataKey;
            }

            foreign = true;
        }

        throw new ResultsKeyException(foreign
            ? $"{path} was copied from another results directory: the data key your results key opens there does not match this results.db."
            : $"no data key in {path} opens with your results key ({lines.Count} wrapped there): the directory was written under another results key. Set {PayloadKey.Variable} to that key, or ask its owner for 'jailgrade eval export-key {directory} --key-out FILE' and run 'jailgrade eval import-key {directory} --key-file FILE'.");
    }

    // The wrapped copies, strictly: comments and blank lines aside, each line one base64 wrapped key.
    private static List<byte[]> Read(string path)
    {
        if (new FileInfo(path).Length > MaxFileBytes)
        {
            throw new CorruptEvidenceException($"{path} is larger than {MaxFileBytes} bytes: not a data-keys file.");
        }

        var lines = new List<byte[]>();
        var number = 0;
        foreach (var line in File.ReadLines(path))
        {
            number++;
            if (line.Length == 0 || line[0] == '#')
            {
                continue;
            }

            byte[] wrapped;
            try
            {
                wrapped = Convert.FromBase64String(line);
            }
            catch (FormatException)
            {
                throw new CorruptEvidenceException($"{path}:{number}:1: not a wrapped data key (expected base64 of {WrappedLength} bytes).");
            }

            lines.Add(wrapped.Length == WrappedLength && wrapped[0] == PayloadCipher.Version
                ? wrapped
                : throw new CorruptEvidenceException($"{path}:{number}:1: not a wrapped data key ({wrapped.Length} bytes, expected {WrappedLength} starting with version {PayloadCipher.Version})."));
        }

        return lines;
    }

    // Written whole to a new file and renamed over the old one, so a crash leaves one or the other.
    private static void Write(string path, IEnumerable<byte[]> wrapped)
    {
        var text = new StringBuilder(Header).Append('\n');
        foreach (var line in wrapped)
        {
            text.Append(Convert.ToBase64String(line)).Append('\n');
        }

        var temporary = path + "." + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4)) + ".tmp";
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        using (var stream = new FileStream(temporary, options))
        {
            stream.Write(Encoding.ASCII.GetBytes(text.ToString()));
            stream.Flush(flushToDisk: true);
        }

        File.Move(temporary, path, overwrite: true);
    }
}
