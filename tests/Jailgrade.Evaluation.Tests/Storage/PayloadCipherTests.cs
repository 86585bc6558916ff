using System.Security.Cryptography;
using System.Text;
using Jailgrade.Evaluation.Storage;

namespace Jailgrade.Evaluation.Tests.Storage;

/// <summary>AES-GCM is only as good as its nonces: one reused under the same key gives the plaintexts away.</summary>
public class PayloadCipherTests
{
    private static readonly byte[] Key = [.. Enumerable.Range(1, 32).Select(i => (byte)i)];

    [Fact]
    public void Encrypt_SameTextTwice_UsesDifferentNoncesAndGivesDifferentBytes()
    {
        using var cipher = new PayloadCipher(Key);

        var first = cipher.Encrypt("the same answer", "response|k");
        var second = cipher.Encrypt("the same answer", "response|k");

        first[..12].ShouldNotBe(second[..12], "each payload gets a fresh nonce");
        first[12..].ShouldNotBe(second[12..], "under different nonces the same text encrypts differently");
        first[..12].ShouldNotBe(new byte[12], "an all-zero nonce repeats across every payload");
        cipher.Decrypt(first, "response|k").ShouldBe("the same answer");
        cipher.Decrypt(second, "response|k").ShouldBe("the same answer");
    }

    [Fact]
    public void Encrypt_ManyPayloads_NoNonceRepeats()
    {
        using var cipher = new PayloadCipher(Key);

        var nonces = Enumerable.Range(0, 10_000).Select(i => Convert.ToHexString(cipher.Encrypt("text", "prompt|" + i)[..12])).ToList();

        nonces.Distinct().Count().ShouldBe(nonces.Count);
    }

    [Fact]
    public void Encrypt_Layout_IsNonceTagCiphertextOfAes256Gcm()
    {
        // Decrypted here with the platform's AES-GCM directly, so the layout the docs state is pinned.
        using var cipher = new PayloadCipher(Key);
        var payload = cipher.Encrypt("benign text ✓", "prompt|key-1");

        using var aes = new AesGcm(Key, 16);
        var plain = new byte[payload.Length - 28];
        aes.Decrypt(payload[..12], payload[28..], payload[12..28], plain, Encoding.UTF8.GetBytes("prompt|key-1"));

        Encoding.UTF8.GetString(plain).ShouldBe("benign text ✓");
        Should.Throw<CryptographicException>(() => cipher.Decrypt(payload, "prompt|key-2"), "a payload is bound to its row");
    }
}
