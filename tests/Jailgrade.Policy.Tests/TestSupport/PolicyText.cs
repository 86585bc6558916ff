namespace Jailgrade.Policy.Tests.TestSupport;

/// <summary>
/// A small valid policy whose parts tests replace one at a time, so each test shows only the
/// part it breaks. Line numbers in assertions count from the first line of <see cref="Build"/>.
/// </summary>
internal static class PolicyText
{
    public const string Header = """
        policy: test-policy
        version: 1.0.0
        title: Test policy
        parties:
          lab: The lab
          authority: The authority
        """;

    public const string Inputs = """
        inputs:
          - band
          - exposure
        """;

    public const string Table = """
        table:
          rows:
            - {band: "<=Low", outcome: Track}
            - {band: Medium..High, outcome: Mitigate}
            - {band: Critical, exposure: "<=L", outcome: Restrict}
            - {band: Critical, exposure: ">=G", outcome: Suspend}
        """;

    public const string Outcomes = """
        outcomes:
          Mitigate:
            obligations:
              - {kind: mitigate, party: lab, from: reported, within: P14D}
          Suspend:
            obligations:
              - {kind: notify, party: authority, from: reported, within: PT24H}
              - {kind: notify, party: authority, from: decided, within: PT1H, when: {exposure: O}}
        """;

    public const string Jurisdictions = """
        jurisdictions:
          home: [US, GB]
          world: rest
        """;

    public const string Eligibility = """
        eligibility:
          Track:
            "*": {none: allow, basic: allow, verified: allow, vetted: allow}
          Mitigate:
            "*": {none: allow, basic: allow, verified: allow, vetted: allow}
          Restrict:
            home: {none: deny, basic: {allow-with: [monitoring]}, verified: allow, vetted: allow}
            world: {none: deny, basic: deny, verified: {allow-with: [monitoring]}, vetted: allow}
          Suspend:
            "*": {none: deny, basic: deny, verified: deny, vetted: deny}
        """;

    public static string Build(string? header = null, string? inputs = null, string? table = null, string? outcomes = null, string? jurisdictions = null, string? eligibility = null, string extra = "") =>
        string.Join('\n', header ?? Header, inputs ?? Inputs, table ?? Table, outcomes ?? Outcomes, jurisdictions ?? Jurisdictions, eligibility ?? Eligibility, extra) + "\n";

    /// <summary>The 1-based line of the first line containing <paramref name="fragment"/>.</summary>
    public static int LineOf(string text, string fragment)
    {
        var lines = text.Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            if (lines[i].Contains(fragment, StringComparison.Ordinal))
            {
                return i + 1;
            }
        }

        throw new ArgumentException($"'{fragment}' is not in the text", nameof(fragment));
    }

    public static PolicyLoadResult Load(string text) => PolicyLoader.Load(text, "test.yaml");

    public static JgPolicy LoadValid(string text)
    {
        var result = Load(text);
        result.Errors.ShouldBeEmpty(string.Join("\n", result.Errors));
        return result.Policy!;
    }
}
