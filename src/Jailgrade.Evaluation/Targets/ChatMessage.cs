namespace Jailgrade.Evaluation.Targets;

/// <summary>One turn of a conversation sent to a model: <c>system</c>, <c>user</c> or <c>assistant</c>.</summary>
public sealed record ChatMessage(string Role, string Content)
{
    /// <summary>A user turn.</summary>
    public static ChatMessage User(string content) => new("user", content);

    /// <summary>An assistant turn (fabricated, for many-shot and scripted conversations).</summary>
    public static ChatMessage Assistant(string content) => new("assistant", content);

    /// <summary>A system turn.</summary>
    public static ChatMessage System(string content) => new("system", content);
}

/// <summary>What is sent to a target for one attempt: the conversation and the sample's seed.</summary>
public sealed record ChatRequest(IReadOnlyList<ChatMessage> Messages, long Seed)
{
    /// <summary>The conversation as one string, for hashing and encrypted storage.</summary>
    public string Transcript => string.Join("\n", Messages.Select(m => $"[{m.Role}] {m.Content}"));
}
