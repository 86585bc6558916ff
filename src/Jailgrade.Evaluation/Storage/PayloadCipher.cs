using System.Security.Cryptography;
using System.Text;

namespace Jailgrade.Evaluation.Storage;

/// <summary>
/// Encrypts prompts and responses at rest with AES-256-GCM. Each payload is bound to its result key
/// (associated data), so a ciphertext copied to another row fails to decrypt.
/// Layout: 12-byte nonce, 16-byte tag, ciphertext.
/// </summary>
public sealed class PayloadCipher : IDisposable
{
    private const int NonceSize = 12;
    private const int TagSize = 16;
    // AesGcm is not safe to share between threads: one instance per thread that uses the cipher.
    private readonly byte[] _key;
    private readonly ThreadLocal<AesGcm> _aes;

    /// <summary>Creates a cipher from a 32-byte key.</summary>
    public PayloadCipher(ReadOnlySpan<byte> key)
    {
        if (key.Length != 32)
        {
            throw new ArgumentException("The results key must be 32 bytes.", nameof(key));
        }

        _key = key.ToArray();
        _aes = new ThreadLocal<AesGcm>(() => new AesGcm(_key, TagSize), trackAllValues: true);
        KeyId = Convert.ToHexStringLower(SHA256.HashData(key))[..16];
    }

    /// <summary>A fingerprint of the key (not the key): stored with the results to detect a wrong key.</summary>
    public string KeyId { get; }

    /// <summary>Encrypts text bound to <paramref name="context"/>.</summary>
    public byte[] Encrypt(string plaintext, string context)
    {
        ArgumentNullException.ThrowIfNull(plaintext);
        var plain = Encoding.UTF8.GetBytes(plaintext);
        var output = new byte[NonceSize + TagSize + plain.Length];
        var nonce = output.AsSpan(0, NonceSize);
        RandomNumberGenerator.Fill(nonce);
        _aes.Value!.Encrypt(nonce, plain, output.AsSpan(NonceSize + TagSize), output.AsSpan(NonceSize, TagSize), Encoding.UTF8.GetBytes(context));
        return output;
    }

    /// <summary>Decrypts; throws <see cref="CryptographicException"/> on a wrong key, context or tampering.</summary>
    public string Decrypt(byte[] payload, string context)
    {
        ArgumentNullException.ThrowIfNull(payload);
        if (payload.Length < NonceSize + TagSize)
        {
            throw new CryptographicException("Payload too short.");
        }

        var plain = new byte[payload.Length - NonceSize - TagSize];
        _aes.Value!.Decrypt(payload.AsSpan(0, NonceSize), payload.AsSpan(NonceSize + TagSize), payload.AsSpan(NonceSize, TagSize), plain, Encoding.UTF8.GetBytes(context));
        return Encoding.UTF8.GetString(plain);
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
/// Finds the results key: <c>JAILGRADE_KEY</c> (base64 of 32 bytes), or else a key file in the user's
/// configuration directory, created with mode 0600 on first use. Never inside the output directory.
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
    public static byte[] Resolve(Func<string, string?> getEnvironment, string configDirectory, string outputDirectory, bool create = true, Action<string>? created = null)
    {
        ArgumentNullException.ThrowIfNull(getEnvironment);
        if (getEnvironment(Variable) is { Length: > 0 } text)
        {
            byte[] key;
            try
            {
                key = Convert.FromBase64String(text);
            }
            catch (FormatException)
            {
                throw new ResultsKeyException($"{Variable} is not base64.");
            }

            return key.Length == 32 ? key : throw new ResultsKeyException($"{Variable} must hold 32 bytes (base64), not {key.Length}.");
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
            byte[] existing;
            try
            {
                existing = Convert.FromBase64String(File.ReadAllText(path).Trim());
            }
            catch (FormatException)
            {
                throw new ResultsKeyException($"The key file {path} is not base64.");
            }

            return existing.Length == 32 ? existing : throw new ResultsKeyException($"The key file {path} does not hold 32 bytes.");
        }

        if (!create)
        {
            throw new ResultsKeyException($"no results key: {Variable} is not set and there is no key file {path}. Reading payloads needs the key that wrote them; set {Variable} to it.");
        }

        Directory.CreateDirectory(directory);
        var fresh = RandomNumberGenerator.GetBytes(32);
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using (var stream = new FileStream(path, options))
        using (var writer = new StreamWriter(stream))
        {
            writer.Write(Convert.ToBase64String(fresh));
        }

        created?.Invoke(path);
        return fresh;
    }
}

/// <summary>A results key that is missing, malformed or not the one that wrote the results (exit 4, never a crash).</summary>
public sealed class ResultsKeyException(string message) : Exception(message);
