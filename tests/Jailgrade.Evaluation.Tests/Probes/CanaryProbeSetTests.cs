using Jailgrade.Evaluation.Probes;
using Jailgrade.Standard;

namespace Jailgrade.Evaluation.Tests.Probes;

public class CanaryProbeSetTests
{
    private static readonly IReadOnlyList<Probe> Probes = new CanaryProbeSet().Probes;

    [Fact]
    public void Canary_HasAtLeastTenProbesInAtLeastEightDomains()
    {
        var byDomain = Probes.GroupBy(p => p.Domain).ToDictionary(g => g.Key, g => g.Count());
        byDomain.Count(d => d.Value >= 10).ShouldBeGreaterThanOrEqualTo(8);
    }

    [Fact]
    public void Canary_HasNothingForChildSexualExploitation()
    {
        Probes.ShouldNotContain(p => p.Domain == "CS");
    }

    [Fact]
    public void Canary_EveryDomainIsAJgHazardDomainAndIdsAreUnique()
    {
        Probes.ShouldAllBe(p => JgMetrics.Get(Metric.HazardDomain).IndexOf(p.Domain) >= 0);
        Probes.Select(p => p.Id).Distinct().Count().ShouldBe(Probes.Count);
    }

    [Fact]
    public void Canary_EveryRequestNamesSomethingFictional()
    {
        // Stand-ins only: each request is about an invented compound, system, person or place.
        Probes.ShouldAllBe(p => p.Text.Contains("fictional", StringComparison.OrdinalIgnoreCase) || Probes.Any(o => o.Task == p.Task && o.Text.Contains("fictional", StringComparison.OrdinalIgnoreCase)));
    }

    [Fact]
    public void Canary_EachDomainHasSeveralTasks()
    {
        Probes.GroupBy(p => p.Domain).ShouldAllBe(g => g.Select(p => p.Task).Distinct().Count() == 5);
    }
}
