using Jailgrade.Evaluation.Targets;

namespace Jailgrade.Evaluation.Attacks;

/// <summary>
/// What an attack makes of a probe: the conversation sent first and, for scripted multi-turn
/// attacks, user turns sent one by one after each real answer. The answer to the last turn is judged.
/// </summary>
public sealed record AttackedPrompt(IReadOnlyList<ChatMessage> Messages, IReadOnlyList<string> FollowUps)
{
    /// <summary>A single user turn.</summary>
    public static AttackedPrompt OneTurn(string text) => new([ChatMessage.User(text)], []);

    /// <summary>The text that carries the behavior: the last follow-up, or else the last user turn.</summary>
    public string FinalText => FollowUps.Count > 0 ? FollowUps[^1] : Messages[^1].Content;

    /// <summary>
    /// The conversation as results store it: one <c>[role] content</c> entry per message, then one
    /// <c>[user] text</c> per follow-up, joined by newlines. Built once per request, so no LINQ.
    /// </summary>
    public string Transcript()
    {
        var text = new System.Text.StringBuilder();
        foreach (var message in Messages)
        {
            Append(text, message.Role, message.Content);
        }

        foreach (var followUp in FollowUps)
        {
            Append(text, "user", followUp);
        }

        return text.ToString();

        static void Append(System.Text.StringBuilder text, string role, string content)
        {
            if (text.Length > 0)
            {
                text.Append('\n');
            }

            text.Append('[').Append(role).Append("] ").Append(content);
        }
    }

    /// <summary>A copy whose final text is rewritten (encodings apply to it).</summary>
    public AttackedPrompt MapFinal(Func<string, string> map)
    {
        ArgumentNullException.ThrowIfNull(map);
        if (FollowUps.Count > 0)
        {
            return this with { FollowUps = [.. FollowUps.Take(FollowUps.Count - 1), map(FollowUps[^1])] };
        }

        var last = Messages[^1];
        return this with { Messages = [.. Messages.Take(Messages.Count - 1), last with { Content = map(last.Content) }] };
    }
}
