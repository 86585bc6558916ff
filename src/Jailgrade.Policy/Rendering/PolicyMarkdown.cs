using System.Globalization;
using System.Text;
using Jailgrade.Policy.Eligibility;
using Jailgrade.Policy.Obligations;

namespace Jailgrade.Policy.Rendering;

/// <summary>
/// Renders a policy readably as Markdown (<c>jailgrade policy show ID --format md</c>): its inputs,
/// the decision table, each outcome's obligations, the jurisdiction tiers, the eligibility ladders
/// and the examples. Deterministic: the same policy gives the same bytes.
/// </summary>
public static class PolicyMarkdown
{
    /// <summary>The policy as a Markdown document.</summary>
    public static string Render(JgPolicy policy)
    {
        ArgumentNullException.ThrowIfNull(policy);
        var md = new StringBuilder();
        md.Append(CultureInfo.InvariantCulture, $"# {policy.Title}\n\n");
        md.Append(CultureInfo.InvariantCulture, $"`{policy.Id}` version {policy.Version} · sha256 `{policy.Stamp.Sha256}` · confidence q = {policy.Confidence.ToString(CultureInfo.InvariantCulture)}\n\n");
        if (policy.Summary is { } summary)
        {
            md.Append(summary).Append("\n\n");
        }

        var consensus = policy.Consensus;
        md.Append(CultureInfo.InvariantCulture, $"Disputes: {(consensus.DecidingParty is { } party ? $"{party}'s assessment decides; otherwise " : "")}the {(consensus.Otherwise == Consensus.ConsensusFallback.Highest ? "highest" : "lowest")} grade stands until resolved.\n\n");
        md.Append("## Decision table\n\n");
        md.Append("Inputs: ").Append(string.Join("; ", policy.Inputs.Select(i => $"`{i.Name}` {(i.Ordered ? "ordered" : "unordered")} [{string.Join(i.Ordered ? " < " : ", ", i.Values)}]{(i.DefaultValue is { } d ? $" (default {d})" : "")}"))).Append(".\n\n");
        Row(md, ["#", .. policy.Inputs.Select(i => i.Name), "outcome", "note"]);
        Row(md, [.. Enumerable.Repeat("---", policy.Inputs.Count + 3)]);
        foreach (var row in policy.Rows)
        {
            Row(md, [row.Number.ToString(CultureInfo.InvariantCulture), .. policy.Inputs.Select(i => row.Written.GetValueOrDefault(i.Name, "*")), $"**{row.Outcome}**", row.Note ?? ""]);
        }

        if (policy.Default is { } fallback)
        {
            Row(md, ["default", .. policy.Inputs.Select(_ => "*"), $"**{fallback}**", "any combination no row decides"]);
        }

        md.Append('\n');
        md.Append("## Obligations\n\n");
        foreach (var outcome in policy.Outcomes)
        {
            md.Append(CultureInfo.InvariantCulture, $"### {outcome.Outcome}\n\n");
            if (outcome.Summary is { } outcomeSummary)
            {
                md.Append(outcomeSummary).Append("\n\n");
            }

            if (outcome.Obligations.Count == 0)
            {
                md.Append("No obligations.\n\n");
                continue;
            }

            Row(md, ["kind", "party", "timing", "when", "note"]);
            Row(md, ["---", "---", "---", "---", "---"]);
            foreach (var obligation in outcome.Obligations)
            {
                var when = obligation.WhenWritten.Count == 0 ? "always" : string.Join(", ", obligation.WhenWritten.Select(w => $"{w.Key} = {w.Value}"));
                Row(md, [obligation.KindName, obligation.Party, Timing(obligation), when, obligation.Note ?? ""]);
            }

            md.Append('\n');
        }

        md.Append("## Jurisdictions\n\n");
        Row(md, ["tier", "countries", "description"]);
        Row(md, ["---", "---", "---"]);
        foreach (var tier in policy.Tiers)
        {
            var countries = tier.IsRest ? $"every other country ({tier.Countries.Count})" : string.Join(", ", tier.Countries);
            Row(md, [tier.Name, countries, tier.Description ?? ""]);
        }

        md.Append("\n## Export eligibility\n\n");
        Row(md, ["outcome", "tier", .. IdentityLevels.Names]);
        Row(md, [.. Enumerable.Repeat("---", 2 + IdentityLevels.Names.Count)]);
        foreach (var outcome in Outcomes.All)
        {
            foreach (var ladder in policy.EligibilityOf(outcome))
            {
                Row(md, [outcome.ToString(), ladder.Tier.Name, .. ladder.Rules.Select(r => r.Access == Access.AllowWithConditions ? $"allow with {string.Join(", ", r.Conditions)}" : r.AccessName)]);
            }
        }

        if (policy.Sources.Count > 0)
        {
            md.Append("\n## Sources\n\n");
            foreach (var source in policy.Sources)
            {
                md.Append(CultureInfo.InvariantCulture, $"- **{source.Id}**: {(source.Url is { } url ? $"[{source.Title}]({url})" : source.Title)}{(source.Note is { } note ? $". {note}" : "")}\n");
            }
        }

        if (policy.Examples.Count > 0)
        {
            md.Append("\n## Examples\n\n");
            Row(md, ["example", "vector", "expected outcome"]);
            Row(md, ["---", "---", "---"]);
            foreach (var example in policy.Examples)
            {
                Row(md, [example.Name, $"`{example.Request.Vector}`", example.Expect.Outcome.ToString()]);
            }
        }

        return md.ToString();
    }

    /// <summary>When an obligation falls due, in words: <c>within P3D of reported</c>.</summary>
    public static string Timing(ObligationSpec obligation)
    {
        ArgumentNullException.ThrowIfNull(obligation);
        var from = CaseClock.EventNames[(int)obligation.From];
        return obligation.Kind switch
        {
            ObligationKind.Disclose => $"{(obligation.NotBefore is { } nb ? $"not before {nb}, " : "")}not after {obligation.NotAfter} from {from}",
            ObligationKind.Update => $"every {obligation.Every} from {from}{(obligation.Within is { } first ? $" (first within {first})" : "")} until resolved",
            _ => $"within {obligation.Within} of {from}",
        };
    }

    private static void Row(StringBuilder md, IEnumerable<string> cells) =>
        md.Append("| ").Append(string.Join(" | ", cells.Select(c => c.Replace("|", "\\|", StringComparison.Ordinal)))).Append(" |\n");
}
