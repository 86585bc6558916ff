using System.Text.Json;
using Jailgrade.Server.Tests.Cases;

namespace Jailgrade.Server.Tests.Authorization;

/// <summary>What an involved lab's history of a multi-lab case holds (docs/registry.md, "The lab projection"; SECURITY.md 2).</summary>
public sealed class LabProjectionTests
{
    [Fact]
    public async Task TriageEvent_InAnInvolvedLabsHistory_NamesTheAssignedAuditors_AndNotTheOtherLabsPart()
    {
        await using var api = await CaseApi.StartAsync();
        var id = await api.TwoLabCaseAsync();

        var history = await api.GetJsonAsync($"/api/v1/cases/{id:D}/history", api.World.LabA);

        var events = history.GetProperty("items").EnumerateArray().ToList();
        var triaged = events.Single(e => e.GetProperty("type").GetString() == "case.triaged");
        var auditors = triaged.GetProperty("body").GetProperty("changes").EnumerateArray().Single(c => c.GetProperty("field").GetString() == "auditors");
        auditors.GetProperty("to").EnumerateArray().Select(a => a.GetGuid()).ShouldBe([api.World.Auditor.Organization],
            "a lab learns which auditors may verify and close its involvement (docs/registry.md, \"The lab projection\")");

        // The assignment is the case's, not another lab's part: Lab B's involvement and anything naming Lab B stay out.
        var labB = api.World.LabB.Organization.ToString("D");
        events.Where(e => e.GetProperty("type").GetString()!.StartsWith("involvement.", StringComparison.Ordinal))
            .Select(e => e.GetProperty("body").GetProperty("changes").EnumerateArray().Single(c => c.GetProperty("field").GetString() == "lab").GetProperty("to").GetString())
            .ShouldBe([api.World.LabA.Organization.ToString("D")]);
        JsonSerializer.Serialize(history).ShouldNotContain(labB);
    }
}
