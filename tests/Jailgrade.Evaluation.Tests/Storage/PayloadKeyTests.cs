using Jailgrade.Evaluation.Storage;

namespace Jailgrade.Evaluation.Tests.Storage;

/// <summary>Issue 9 item 18: a key file others can read is refused, by its mode bits (CI runs as root, where access checks pass).</summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class PayloadKeyTests : IDisposable
{
    private readonly string _config = Directory.CreateTempSubdirectory("jg-keyfile-").FullName;

    private string KeyFile => Path.Combine(_config, "jailgrade", PayloadKey.FileName);

    public void Dispose() => Directory.Delete(_config, recursive: true);

    private void WriteKeyFile(UnixFileMode mode)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(KeyFile)!);
        File.WriteAllText(KeyFile, Convert.ToBase64String(new byte[32]));
        File.SetUnixFileMode(KeyFile, mode);
    }

    private ResultsKey Resolve() => PayloadKey.Resolve(_ => null, _config, Path.Combine(_config, "out"), create: false);

    [Theory]
    [InlineData(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead, "0644")]
    [InlineData(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead, "0640")]
    [InlineData(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.OtherWrite, "0602")]
    [InlineData(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, "0700")]
    public void Resolve_KeyFileWithAnotherMode_IsRefusedWithThePathTheModeAndTheChmod(UnixFileMode mode, string octal)
    {
        WriteKeyFile(mode);

        var refused = Should.Throw<ResultsKeyException>(Resolve);

        refused.Message.ShouldContain($"the key file {KeyFile} has mode {octal}");
        refused.Message.ShouldContain($"chmod 600 {KeyFile}");
    }

    [Theory]
    [InlineData(UnixFileMode.UserRead | UnixFileMode.UserWrite)]
    [InlineData(UnixFileMode.UserRead)]
    public void Resolve_KeyFileReadableByItsOwnerOnly_IsRead(UnixFileMode mode)
    {
        WriteKeyFile(mode);

        using var key = Resolve();
        key.ShouldNotBeNull();
    }

    [Fact]
    public void Resolve_NewKeyFile_IsCreatedWithMode0600()
    {
        string? created = null;
        using (PayloadKey.Resolve(_ => null, _config, Path.Combine(_config, "out"), create: true, created: path => created = path))
        {
        }

        created.ShouldBe(KeyFile);
        (File.GetUnixFileMode(KeyFile) & (UnixFileMode)0b111_111_111).ShouldBe(UnixFileMode.UserRead | UnixFileMode.UserWrite);
    }

    [Fact]
    public void Resolve_AnExportedDataKeyAsTheResultsKey_SaysToImportIt()
    {
        var exported = DataKeys.FormatExport(new byte[32]);

        Should.Throw<ResultsKeyException>(() => PayloadKey.Resolve(name => name == PayloadKey.Variable ? exported : null, _config, Path.Combine(_config, "out")))
            .Message.ShouldContain("eval import-key");
    }
}
