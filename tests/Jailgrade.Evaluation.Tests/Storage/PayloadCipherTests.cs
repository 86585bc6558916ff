using System.Security.Cryptography;
using System.Text;
using Jailgrade.Evaluation.Storage;

namespace Jailgrade.Evaluation.Tests.Storage;

/// <summary>AES-GCM is only as good as its nonces and its associated data: each payload is bound to exactly one row and field.</summary>
public class PayloadCipherTests
{
    private static readonly byte[] Key = [.. Enumerable.Range(1, 32).Select(i => (byte)i)];

    [Fact]
    public void Encrypt_SameTextTwice_UsesDifferentNoncesAndGivesDifferentBytes()
    {
        using var cipher = new PayloadCipher(Key);

        var first = cipher.Encrypt("the same answer", "response", "k");
        var second = cipher.Encrypt("the same answer", "response", "k");

        first[1..13].ShouldNotBe(second[1..13], "each payload gets a fresh nonce");
        first[13..].ShouldNotBe(second[13..], "under different nonces the same text encrypts differently");
        first[1..13].ShouldNotBe(new byte[12], "an all-zero nonce repeats across every payload");
        cipher.Decrypt(first, "response", "k").ShouldBe("the same answer");
        cipher.Decrypt(second, "response", "k").ShouldBe("the same answer");
    }

    [Fact]
    public void Encrypt_ManyPayloads_NoNonceRepeats()
    {
        using var cipher = new PayloadCipher(Key);

        var nonces = Enumerable.Range(0, 10_000).Select(i => Convert.ToHexString(cipher.Encrypt("text", "prompt", i.ToString(System.Globalization.CultureInfo.InvariantCulture))[1..13])).ToList();

        nonces.Distinct().Count().ShouldBe(nonces.Count);
    }

    [Fact]
    public void Encrypt_Layout_IsVersionNonceTagCiphertext_WithLengthPrefixedAssociatedData()
    {
        // Decrypted here with the platform's AES-GCM and associated data built by hand, so the layout the docs state is pinned.
        using var cipher = new PayloadCipher(Key);
        var payload = cipher.Encrypt("benign text ✓", "prompt", "key-1");

        byte[] associated = [1, 0, 0, 0, 6, .. "prompt"u8, 0, 0, 0, 5, .. "key-1"u8];
        using var aes = new AesGcm(Key, 16);
        var plain = new byte[payload.Length - 29];
        payload[0].ShouldBe((byte)1, "the format version leads");
        aes.Decrypt(payload[1..13], payload[29..], payload[13..29], plain, associated);

        Encoding.UTF8.GetString(plain).ShouldBe("benign text ✓");
        Should.Throw<CryptographicException>(() => cipher.Decrypt(payload, "prompt", "key-2"), "a payload is bound to its row");
        Should.Throw<CryptographicException>(() => cipher.Decrypt(payload, "response", "key-1"), "and to its field");
    }

    [Fact]
    public void AssociatedData_PartsThatJoinToTheSameText_DifferAndDoNotDecryptEachOther()
    {
        // Joined with '|', target "a|b" with attack "c" and target "a" with attack "b|c" were one context.
        PayloadCipher.AssociatedData("prompt", "a|b", "c").ShouldNotBe(PayloadCipher.AssociatedData("prompt", "a", "b|c"));
        PayloadCipher.AssociatedData("prompt", "ab", "").ShouldNotBe(PayloadCipher.AssociatedData("prompt", "a", "b"));

        using var cipher = new PayloadCipher(Key);
        var payload = cipher.Encrypt("benign text", "prompt", "a|b", "c", "p", "0");

        Should.Throw<CryptographicException>(() => cipher.Decrypt(payload, "prompt", "a", "b|c", "p", "0"));
        cipher.Decrypt(payload, "prompt", "a|b", "c", "p", "0").ShouldBe("benign text");
    }

    [Fact]
    public void Decrypt_AnotherFormatVersion_IsRefused()
    {
        using var cipher = new PayloadCipher(Key);
        var payload = cipher.Encrypt("benign text", "prompt", "k");
        payload[0] = 2;

        Should.Throw<CryptographicException>(() => cipher.Decrypt(payload, "prompt", "k")).Message.ShouldContain("version 2");
    }
}
