using Jailgrade.Policy;
using Jailgrade.Registry.Cases;
using Jailgrade.Registry.Parties;

namespace Jailgrade.Registry.Tests.Parties;

public class PolicyPartiesTests
{
    private static readonly Guid Authority = Id(1);
    private static readonly Guid Reporter = Id(2);
    private static readonly Guid Lab = Id(3);
    private static readonly Guid AccreditedAuditor = Id(4);
    private static readonly Guid UnaccreditedAuditor = Id(5);
    private static readonly Guid OtherLab = Id(6);

    private static readonly CaseHeader Header = new()
    {
        Id = Id(100), Title = "Role-play unlocks a benign canary", ReporterId = Reporter, AuthorityId = Authority,
        ReportedAt = new DateTimeOffset(2026, 6, 12, 9, 0, 0, TimeSpan.Zero),
    };

    private static readonly Involvement Involvement = new() { Id = Id(101), CaseId = Header.Id, LabId = Lab };

    // Who each party name must resolve to for the case above, written out by hand: a policy that names
    // a party missing here fails Resolve_EveryPartyOfEveryBuiltinPolicy_ResolvesByItsRule.
    private static readonly Dictionary<string, (PartyRule Rule, Guid[] Organizations)> Expected = new(StringComparer.Ordinal)
    {
        ["government-authority"] = (PartyRule.CaseAuthority, [Authority]),
        ["accredited-auditor"] = (PartyRule.AccreditedAuditors, [AccreditedAuditor]),
        ["lab"] = (PartyRule.InvolvementLab, [Lab]),
        ["provider"] = (PartyRule.InvolvementLab, [Lab]),
        ["safeguards-team"] = (PartyRule.LabInternal, [Lab]),
        ["red-team"] = (PartyRule.LabInternal, [Lab]),
        ["responsible-scaling-officer"] = (PartyRule.LabInternal, [Lab]),
        ["reporter"] = (PartyRule.Reporter, [Reporter]),
        ["affected-deployers"] = (PartyRule.Configured, [Configured("affected-deployers")]),
        ["hosting-partners"] = (PartyRule.Configured, [Configured("hosting-partners")]),
        ["ai-office"] = (PartyRule.Configured, [Configured("ai-office")]),
        ["csirt"] = (PartyRule.Configured, [Configured("csirt")]),
    };

    public static TheoryData<string, string> BuiltinParties()
    {
        var data = new TheoryData<string, string>();
        foreach (var policy in BuiltinPolicies.All)
        {
            foreach (var party in policy.Parties.Keys)
            {
                data.Add(policy.Id, party);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(BuiltinParties))]
    public void Resolve_EveryPartyOfEveryBuiltinPolicy_ResolvesByItsRule(string policy, string party)
    {
        Expected.ShouldContainKey(party, $"policy '{policy}' names the party '{party}': give it a rule in PolicyParties.Rules and an expectation here");
        PolicyParties.Rules.Keys.ShouldContain(party, $"policy '{policy}' names the party '{party}', which has no rule in PolicyParties.Rules");
        var configured = Expected.Where(e => e.Value.Rule == PartyRule.Configured)
            .ToDictionary(e => e.Key, e => (IReadOnlyList<Guid>)[Configured(e.Key)], StringComparer.Ordinal);

        var resolved = PolicyParties.Resolve([party], configured, Header, Involvement, [UnaccreditedAuditor, AccreditedAuditor], a => a == AccreditedAuditor).Single();

        resolved.Name.ShouldBe(party);
        resolved.Rule.ShouldBe(Expected[party].Rule);
        resolved.Organizations.ShouldBe(Expected[party].Organizations);
        resolved.IsResolved.ShouldBeTrue();
    }

    [Fact]
    public void Resolve_PartyNobodyConfigured_IsReturnedUnresolvedWithTheReason()
    {
        var resolved = PolicyParties.Resolve(["lab", "ai-office", "reporter"], Empty, Header, Involvement, [], _ => false);

        resolved.Select(p => p.Name).ShouldBe(["lab", "ai-office", "reporter"]);
        var office = resolved[1];
        office.IsResolved.ShouldBeFalse();
        office.Organizations.ShouldBeEmpty();
        office.Unresolved.ShouldBe($"no organization is configured for 'ai-office' by the authority {Authority:D}");
    }

    [Fact]
    public void Resolve_PartyNameNoRuleKnows_IsLookedUpInTheConfiguration()
    {
        var configured = new Dictionary<string, IReadOnlyList<Guid>> { ["market-surveillance"] = [Id(50), Id(51)] };

        var resolved = PolicyParties.Resolve(["market-surveillance", "notified-body"], configured, Header, Involvement, [], _ => false);

        resolved[0].Organizations.ShouldBe([Id(50), Id(51)]);
        resolved[1].Rule.ShouldBe(PartyRule.Configured);
        resolved[1].Unresolved.ShouldNotBeNull().ShouldContain("'notified-body'");
    }

    [Fact]
    public void Resolve_AccreditedAuditor_NoneAssignedOrNoneAccredited_IsUnresolvedSayingWhich()
    {
        var none = PolicyParties.Resolve(["accredited-auditor"], Empty, Header, Involvement, [], _ => true).Single();
        var unaccredited = PolicyParties.Resolve(["accredited-auditor"], Empty, Header, Involvement, [UnaccreditedAuditor, Id(7)], _ => false).Single();

        none.Unresolved.ShouldBe($"no auditor is assigned to case {Header.Id:D}");
        unaccredited.Unresolved.ShouldBe($"none of the 2 auditors assigned to case {Header.Id:D} is accredited");
        unaccredited.Organizations.ShouldBeEmpty();
    }

    [Fact]
    public void Resolve_GovernmentAuthorityConfigured_NamesTheConfiguredOrganizationsInsteadOfTheCasesAuthority()
    {
        var institute = Id(60);
        var configured = new Dictionary<string, IReadOnlyList<Guid>> { ["government-authority"] = [institute] };

        var resolved = PolicyParties.Resolve(["government-authority"], configured, Header, Involvement, [], _ => false).Single();

        resolved.Organizations.ShouldBe([institute]);
    }

    [Fact]
    public void Resolve_LabAndProvider_AreTheInvolvementsLabNotAnotherInvolvedLab()
    {
        var other = new Involvement { Id = Id(102), CaseId = Header.Id, LabId = OtherLab };

        var resolved = PolicyParties.Resolve(["lab", "provider"], Empty, Header, other, [], _ => false);

        resolved.Select(p => p.Organizations.Single()).ShouldBe([OtherLab, OtherLab]);
    }

    [Fact]
    public void Resolve_InvolvementOfAnotherCase_IsRefused()
    {
        var foreign = new Involvement { Id = Id(103), CaseId = Id(999), LabId = Lab };

        var error = Should.Throw<ArgumentException>(() => PolicyParties.Resolve(["lab"], Empty, Header, foreign, [], _ => false));

        error.Message.ShouldContain($"belongs to case {Id(999):D}");
    }

    [Theory]
    [InlineData("ai-office", true)]
    [InlineData("government-authority", true)]
    [InlineData("lab", false)]
    [InlineData("reporter", false)]
    [InlineData("accredited-auditor", false)]
    public void IsConfigurable_OnlyPartiesTheCaseDoesNotDecide(string party, bool configurable) =>
        PolicyParties.IsConfigurable(party).ShouldBe(configurable);

    private static readonly Dictionary<string, IReadOnlyList<Guid>> Empty = [];

    // A distinct organization per configured party name.
    private static Guid Configured(string party) => new(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(party))[..16]);

    private static Guid Id(int n) => new($"00000000-0000-4000-8000-{n:000000000000}");
}
