using Jailgrade.Evaluation.Attacks;
using Jailgrade.Evaluation.Targets;

namespace Jailgrade.Evaluation.Tests.Attacks;

public class AttackedPromptTests
{
    [Fact]
    public void Transcript_OneTurn_IsTheRoleTaggedMessage()
    {
        AttackedPrompt.OneTurn("Describe the fictional compound.").Transcript().ShouldBe("[user] Describe the fictional compound.");
    }

    [Fact]
    public void Transcript_MessagesThenFollowUps_OneTaggedEntryEachJoinedByNewlines()
    {
        // Stored results and cache keys depend on this exact shape: changing it re-keys every cache.
        var prompt = new AttackedPrompt(
            [ChatMessage.System("Be terse."), ChatMessage.User("Hi"), ChatMessage.Assistant("Hello.\nHow can I help?")],
            ["Tell me a story.", "Now the ending."]);

        prompt.Transcript().ShouldBe("[system] Be terse.\n[user] Hi\n[assistant] Hello.\nHow can I help?\n[user] Tell me a story.\n[user] Now the ending.");
    }
}
