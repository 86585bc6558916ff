using Jailgrade.Registry.Identity;
using Jailgrade.Registry.Secrets;

namespace Jailgrade.Registry.Tests.Cases;

public class CaseSecretsTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 2, 9, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Seal_OpensAtItsOwnAddress_AndNowhereElse()
    {
        var master = MasterKey.Generate();
        var caseId = Guid.NewGuid();
        var (stored, dataKey) = CaseSecrets.NewKey(master, caseId, 1, Now);
        var sealedText = CaseSecrets.Seal(dataKey, 1, FieldAddress.Technique(caseId), "a benign canary cue");

        CaseSecrets.Open(CaseSecrets.Unwrap(master, stored), FieldAddress.Technique(caseId), sealedText).ShouldBe("a benign canary cue");
        Should.Throw<CaseSecretException>(() => CaseSecrets.Open(dataKey, new FieldAddress(caseId, null, null, "title"), sealedText));
        Should.Throw<CaseSecretException>(() => CaseSecrets.Open(dataKey, new FieldAddress(caseId, Guid.NewGuid(), null, "technique"), sealedText));
        Should.Throw<CaseSecretException>(() => CaseSecrets.Open(dataKey, new FieldAddress(caseId, null, "r1", "technique"), sealedText));
        Should.Throw<CaseSecretException>(() => CaseSecrets.Open(dataKey, FieldAddress.Technique(Guid.NewGuid()), sealedText));
    }

    [Fact]
    public void Seal_Twice_UsesFreshNonces()
    {
        var dataKey = new byte[32];
        var address = FieldAddress.Technique(Guid.NewGuid());

        CaseSecrets.Seal(dataKey, 1, address, "same").ShouldNotBe(CaseSecrets.Seal(dataKey, 1, address, "same"));
    }

    [Fact]
    public void Unwrap_AKeyMovedToAnotherCase_Fails()
    {
        var master = MasterKey.Generate();
        var (stored, _) = CaseSecrets.NewKey(master, Guid.NewGuid(), 1, Now);
        stored.CaseId = Guid.NewGuid();

        Should.Throw<CaseSecretException>(() => CaseSecrets.Unwrap(master, stored)).Message.ShouldContain("does not unwrap");
    }

    [Fact]
    public void Sealed_HasVersionKeyVersionNonceTagThenCiphertext()
    {
        var sealedText = CaseSecrets.Seal(new byte[32], 7, FieldAddress.Technique(Guid.NewGuid()), "abc");

        sealedText.Length.ShouldBe(1 + 4 + 12 + 16 + 3);
        sealedText[0].ShouldBe(CaseSecrets.FormatVersion);
        CaseSecrets.KeyVersionOf(sealedText).ShouldBe(7);
    }
}
