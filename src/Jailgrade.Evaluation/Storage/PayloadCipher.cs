using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace Jailgrade.Evaluation.Storage;

/// <summary>
/// Encrypts prompts and responses at rest with AES-256-GCM under a results directory's data key.
/// Layout: a version byte (1), a 12-byte nonce, a 16-byte tag, the ciphertext. The associated data is
/// the version byte followed by each context part (field, target, attack, probe, sample) as a 4-byte
/// big-endian length and its UTF-8 bytes, so a ciphertext moved to another row or field fails to
/// decrypt, and no two different part lists give the same bytes (<see cref="AssociatedData"/>).
/// </summary>
public sealed class PayloadCipher : IDisposable
{
    /// <summary>The format version written as each ciphertext's first byte.</summary>
    public const byte Version = 1;

    /// <summary>Data keys and results keys are 32 bytes (AES-256).</summary>
    public const int KeySize = 32;

    private const int NonceSize = 12;
    private const int TagSize = 16;

    // AesGcm is not safe to share between threads: one instance per thread that uses the cipher.
    private readonly byte[] _key;
    private readonly ThreadLocal<AesGcm> _aes;

    // Directories written before data keys: no version byte, the context joined with '|' (LegacyCipher).
    private readonly bool _legacy;

    /// <summary>Creates a cipher from a 32-byte data key.</summary>
    public PayloadCipher(ReadOnlySpan<byte> key)
        : this(key, legacy: false)
    {
    }

    private PayloadCipher(ReadOnlySpan<byte> key, bool legacy)
    {
        if (key.Length != KeySize)
        {
            throw new ArgumentException("A payload key must be 32 bytes.", nameof(key));
        }

        _key = key.ToArray();
        _legacy = legacy;
        _aes = new ThreadLocal<AesGcm>(() => new AesGcm(_key, TagSize), trackAllValues: true);
    }

    /// <summary>
    /// The cipher of a directory written before per-directory data keys: payloads under the user's
    /// results key itself, laid out nonce, tag, ciphertext, with the context joined by <c>|</c>.
    /// Kept so that those directories stay readable (and a resumed one stays in one format).
    /// </summary>
    internal static PayloadCipher Legacy(ReadOnlySpan<byte> resultsKey) => new(resultsKey, legacy: true);

    /// <summary>
    /// The associated data for a context: the version byte, then each part length-prefixed. Two part
    /// lists that join to the same text (<c>a|b</c>, <c>c</c> and <c>a</c>, <c>b|c</c>) give different bytes.
    /// </summary>
    public static byte[] AssociatedData(params ReadOnlySpan<string> parts)
    {
        var length = 1;
        foreach (var part in parts)
        {
            length += 4 + Encoding.UTF8.GetByteCount(part);
        }

        var data = new byte[length];
        data[0] = Version;
        var at = 1;
        foreach (var part in parts)
        {
            var written = Encoding.UTF8.GetBytes(part, data.AsSpan(at + 4));
            BinaryPrimitives.WriteInt32BigEndian(data.AsSpan(at, 4), written);
            at += 4 + written;
        }

        return data;
    }

    private byte[] Context(ReadOnlySpan<string> parts) =>
        _legacy ? Encoding.UTF8.GetBytes(string.Join('|', parts.ToArray())) : AssociatedData(parts);

    /// <summary>Encrypts text bound to its context (field, then the result's key parts).</summary>
    public byte[] Encrypt(string plaintext, params ReadOnlySpan<string> context)
    {
        ArgumentNullException.ThrowIfNull(plaintext);
        return Seal(Encoding.UTF8.GetBytes(plaintext), context);
    }

    /// <summary>Decrypts; throws <see cref="CryptographicException"/> on a wrong key, context, version or tampering.</summary>
    public string Decrypt(byte[] payload, params ReadOnlySpan<string> context) => Encoding.UTF8.GetString(Open(payload, context));

    internal byte[] Seal(ReadOnlySpan<byte> plain, ReadOnlySpan<string> context)
    {
        var header = _legacy ? 0 : 1;
        var output = new byte[header + NonceSize + TagSize + plain.Length];
        if (!_legacy)
        {
            output[0] = Version;
        }

        var nonce = output.AsSpan(header, NonceSize);
        RandomNumberGenerator.Fill(nonce);
        _aes.Value!.Encrypt(nonce, plain, output.AsSpan(header + NonceSize + TagSize), output.AsSpan(header + NonceSize, TagSize), Context(context));
        return output;
    }

    internal byte[] Open(byte[] payload, ReadOnlySpan<string> context)
    {
        ArgumentNullException.ThrowIfNull(payload);
        var header = _legacy ? 0 : 1;
        if (payload.Length < header + NonceSize + TagSize)
        {
            throw new CryptographicException("Payload too short.");
        }

        if (!_legacy && payload[0] != Version)
        {
            throw new CryptographicException($"Unknown payload format version {payload[0]} (this jailgrade reads version {Version}).");
        }

        var plain = new byte[payload.Length - header - NonceSize - TagSize];
        _aes.Value!.Decrypt(payload.AsSpan(header, NonceSize), payload.AsSpan(header + NonceSize + TagSize), payload.AsSpan(header + NonceSize, TagSize), plain, Context(context));
        return plain;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var aes in _aes.Values)
        {
            aes.Dispose();
        }

        _aes.Dispose();
        CryptographicOperations.ZeroMemory(_key);
    }
}

/// <summary>
/// The user's results key (<c>JAILGRADE_KEY</c> or <c>results.key</c>): it never encrypts a payload
/// itself; it wraps each results directory's random data key (AES-256-GCM under a key derived from it
/// with HKDF-SHA256 for that one purpose), so a wrong key is found by authenticated decryption.
/// </summary>
public sealed class ResultsKey : IDisposable
{
    private static readonly byte[] WrapPurpose = Encoding.ASCII.GetBytes("jailgrade/results-key/wrap-data-key/v1");

    private readonly byte[] _key;
    private readonly byte[] _wrapping;

    /// <summary>Takes a 32-byte results key.</summary>
    public ResultsKey(ReadOnlySpan<byte> key)
    {
        if (key.Length != PayloadCipher.KeySize)
        {
            throw new ArgumentException("The results key must be 32 bytes.", nameof(key));
        }

        _key = key.ToArray();
        _wrapping = HKDF.DeriveKey(HashAlgorithmName.SHA256, _key, PayloadCipher.KeySize, salt: [], info: WrapPurpose);
    }

    /// <summary>
    /// The fingerprint directories written before data keys recorded (the first 16 hex digits of the
    /// key's SHA-256): only compared with such a directory, never written to a new one.
    /// </summary>
    internal string LegacyFingerprint => Convert.ToHexStringLower(SHA256.HashData(_key))[..16];

    /// <summary>The cipher for a directory written before data keys: the results key itself.</summary>
    internal PayloadCipher LegacyCipher() => PayloadCipher.Legacy(_key);

    /// <summary>Wraps a data key: version byte, nonce, tag, ciphertext (61 bytes).</summary>
    public byte[] Wrap(ReadOnlySpan<byte> dataKey)
    {
        using var cipher = new PayloadCipher(_wrapping);
        return cipher.Seal(dataKey, DataKeys.WrapContext);
    }

    /// <summary>The data key a wrapped copy holds, or null when this key did not wrap it (or the copy was altered).</summary>
    public byte[]? Unwrap(byte[] wrapped)
    {
        using var cipher = new PayloadCipher(_wrapping);
        try
        {
            var key = cipher.Open(wrapped, DataKeys.WrapContext);
            return key.Length == PayloadCipher.KeySize ? key : null;
        }
        catch (CryptographicException)
        {
            return null;
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        CryptographicOperations.ZeroMemory(_key);
        CryptographicOperations.ZeroMemory(_wrapping);
    }
}

/// <summary>
/// Finds the results key: <c>JAILGRADE_KEY</c> (base64 of 32 bytes), or else a key file in the user's
/// configuration directory, created with mode 0600 on first use. Never inside the output directory.
/// Key files (this one, and data keys handed over with <c>eval export-key</c>) are refused unless only
/// their owner can read them.
/// </summary>
public static class PayloadKey
{
    /// <summary>The environment variable holding the key.</summary>
    public const string Variable = "JAILGRADE_KEY";

    /// <summary>The key file's name in the configuration directory's <c>jailgrade</c> folder.</summary>
    public const string FileName = "results.key";

    /// <summary>
    /// Resolves the key. <paramref name="getEnvironment"/> reads environment variables. Only a writer
    /// (<paramref name="create"/>) makes a new key file, and says where through <paramref name="created"/>;
    /// a reader without a key gets a <see cref="ResultsKeyException"/>, since a new key could never
    /// read what an old one wrote.
    /// </summary>
    public static ResultsKey Resolve(Func<string, string?> getEnvironment, string configDirectory, string outputDirectory, bool create = true, Action<string>? created = null)
    {
        ArgumentNullException.ThrowIfNull(getEnvironment);
        if (getEnvironment(Variable) is { Length: > 0 } text)
        {
            return new ResultsKey(Decode(text, Variable));
        }

        var directory = Path.GetFullPath(Path.Combine(configDirectory, "jailgrade"));
        var output = Path.GetFullPath(outputDirectory).TrimEnd(Path.DirectorySeparatorChar) + Path.DirectorySeparatorChar;
        if ((directory + Path.DirectorySeparatorChar).StartsWith(output, StringComparison.Ordinal))
        {
            throw new ResultsKeyException("The results key would sit inside the output directory; set " + Variable + " or use another configuration directory.");
        }

        var path = Path.Combine(directory, FileName);
        if (File.Exists(path))
        {
            return new ResultsKey(Decode(ReadProtected(path), $"The key file {path}"));
        }

        if (!create)
        {
            throw new ResultsKeyException($"no results key: {Variable} is not set and there is no key file {path}. Reading payloads needs a key that opens the directory's data key; set {Variable} to it, or import the directory's data key (eval import-key).");
        }

        Directory.CreateDirectory(directory);
        var fresh = RandomNumberGenerator.GetBytes(PayloadCipher.KeySize);
        WriteNew(path, Convert.ToBase64String(fresh));
        created?.Invoke(path);
        var key = new ResultsKey(fresh);
        CryptographicOperations.ZeroMemory(fresh);
        return key;
    }

    private static byte[] Decode(string text, string what)
    {
        if (text.Trim().StartsWith(DataKeys.ExportPrefix, StringComparison.Ordinal))
        {
            throw new ResultsKeyException($"{what} holds a data key exported from one results directory, not a results key: give it to 'jailgrade eval import-key DIR --key-file FILE' instead.");
        }

        byte[] key;
        try
        {
            key = Convert.FromBase64String(text.Trim());
        }
        catch (FormatException)
        {
            throw new ResultsKeyException($"{what} is not base64.");
        }

        return key.Length == PayloadCipher.KeySize ? key : throw new ResultsKeyException($"{what} must hold 32 bytes (base64), not {key.Length}.");
    }

    /// <summary>
    /// Reads a key file, refusing one that others could read or write (on Unix): its mode must be 0600
    /// or 0400. The mode bits are checked, not access, so the refusal holds for root too.
    /// </summary>
    public static string ReadProtected(string path)
    {
        if (!OperatingSystem.IsWindows())
        {
            var mode = File.GetUnixFileMode(path) & (UnixFileMode)0b111_111_111;
            if (mode is not (UnixFileMode.UserRead | UnixFileMode.UserWrite) and not UnixFileMode.UserRead)
            {
                throw new ResultsKeyException($"the key file {path} has mode {Octal(mode)}: a key file must be readable by its owner only (0600 or 0400). Run: chmod 600 {path}");
            }
        }

        var info = new FileInfo(path);
        if (info.Length > 4096)
        {
            throw new ResultsKeyException($"the key file {path} holds {info.Length} bytes: not a key (a key file is one line).");
        }

        return File.ReadAllText(path);
    }

    /// <summary>Writes a secret to a new file readable by its owner only (0600); an existing file is never overwritten.</summary>
    public static void WriteNew(string path, string text)
    {
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using var stream = new FileStream(path, options);
        using var writer = new StreamWriter(stream);
        writer.Write(text);
        writer.Flush();
        stream.Flush(flushToDisk: true);
    }

    private static string Octal(UnixFileMode mode) => "0" + Convert.ToString((int)mode, 8).PadLeft(3, '0');
}

/// <summary>A results key that is missing, malformed or not the one that wrote the results (exit 4, never a crash).</summary>
public sealed class ResultsKeyException(string message) : Exception(message);
