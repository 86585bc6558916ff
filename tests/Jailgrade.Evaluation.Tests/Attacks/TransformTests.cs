using FsCheck;
using FsCheck.Fluent;
using System.Text;
using Jailgrade.Evaluation.Attacks;
using Jailgrade.Evaluation.Attacks.Transforms;
using Jailgrade.Evaluation.Campaigns;

namespace Jailgrade.Evaluation.Tests.Attacks;

public class TransformTests
{
    private static readonly AttackComposer Composer = new(EvaluationRegistry.Default.Transforms);

    [Fact]
    public void Compose_TemplateThenTransformsInOrder()
    {
        var attack = new AttackSpec { Id = "a", Template = "Story: {{behavior}}", Transforms = [TransformSpec.Of("rot13"), TransformSpec.Of("base64")] };
        var prompt = Composer.Compose(attack, "Hello");
        var encoded = prompt.FinalText.Split('\n')[^1];
        var decoded = Encoding.UTF8.GetString(Convert.FromBase64String(encoded));
        decoded.ShouldEndWith(Rot13Transform.Rotate("Story: Hello"));
    }

    [Fact]
    public void Rot13_IsItsOwnInverse()
    {
        Prop.ForAll(ArbMap.Default.ArbFor<string>(), s => s is null || Rot13Transform.Rotate(Rot13Transform.Rotate(s)) == s).Verify();
    }

    [Fact]
    public void Leetspeak_SubstitutesCommonLetters()
    {
        new LeetspeakTransform().Encode("Test a site").ShouldBe("7357 4 5173");
    }

    [Fact]
    public void ManyShot_PutsFabricatedTurnsBeforeTheRequest()
    {
        var settings = new Dictionary<string, object> { ["shots"] = "3" };
        var prompt = new ManyShotTransform().Apply(AttackedPrompt.OneTurn("the request"), settings, "the request");
        prompt.Messages.Count.ShouldBe(7);
        prompt.Messages.Take(6).Select(m => m.Role).ShouldBe(["user", "assistant", "user", "assistant", "user", "assistant"]);
        prompt.Messages[^1].Content.ShouldBe("the request");
    }

    [Fact]
    public void MultiTurn_ScriptOpensAndRequestComesLast()
    {
        var settings = new Dictionary<string, object> { ["turns"] = (IReadOnlyList<string>)["Hi", "About {{behavior}}"] };
        var prompt = new MultiTurnTransform().Apply(AttackedPrompt.OneTurn("do x"), settings, "x");
        prompt.Messages.Single().Content.ShouldBe("Hi");
        prompt.FollowUps.ShouldBe(["About x", "do x"]);
        prompt.FinalText.ShouldBe("do x");
    }

    [Fact]
    public void EncodingAfterMultiTurn_EncodesOnlyTheRequest()
    {
        var attack = new AttackSpec
        {
            Id = "a",
            Transforms = [new TransformSpec("multi-turn", new Dictionary<string, object> { ["turns"] = (IReadOnlyList<string>)["Hi"] }), TransformSpec.Of("leetspeak")],
        };
        var prompt = Composer.Compose(attack, "test");
        prompt.Messages.Single().Content.ShouldBe("Hi");
        prompt.FollowUps.ShouldBe(["7357"]);
    }
}
