using FsCheck;
using FsCheck.Fluent;
using Jailgrade.Policy.Tests.TestSupport;

namespace Jailgrade.Policy.Tests.Loading;

public class LoaderRobustnessProperties
{
    private static readonly string Valid = PolicyText.Build();

    /// <summary>Cutting the file anywhere or replacing any character yields errors with positions, never an exception.</summary>
    [Fact]
    public void Load_AnyTruncationOrSingleCharacterEdit_ReportsErrorsInsteadOfThrowing()
    {
        var edits = from position in Gen.Choose(0, Valid.Length - 1)
                    from replacement in Gen.Elements('[', ']', '{', '}', ':', '-', ' ', '\n', '"', '\'', '*', '&', '!', 'x', '#', '\t', '|', '>')
                    from truncate in Gen.Elements(true, false)
                    select truncate ? Valid[..position] : Valid[..position] + replacement + Valid[(position + 1)..];

        Prop.ForAll(edits.ToArbitrary(), text =>
        {
            var result = PolicyText.Load(text);
            foreach (var error in result.Errors)
            {
                if (error.Line < 1 || error.Column < 1 || string.IsNullOrWhiteSpace(error.Message))
                {
                    return false;
                }
            }

            return result.Policy is not null || result.Errors.Count > 0;
        }).Verify(maxTest: 3000);
    }

    /// <summary>Found by the property above: YamlDotNet threw ArgumentException for a file ending in a lone ':' line.</summary>
    [Fact]
    public void Load_FileEndingInALoneColonLine_IsASyntaxErrorNotAnException()
    {
        var result = PolicyText.Load(Valid.TrimEnd() + "\n:");

        result.Policy.ShouldBeNull();
        result.Errors.ShouldHaveSingleItem().Kind.ShouldBe(PolicyErrorKind.Syntax);
    }
}
