using BenchmarkDotNet.Attributes;
using Jailgrade.Policy.Decisions;
using Jailgrade.Policy.Eligibility;
using Jailgrade.Policy.Gate;
using Jailgrade.Standard;

namespace Jailgrade.Policy.Benchmarks;

/// <summary>
/// Gate answers per second: 200 releases, 100 of them with one or two open cases, asked for random
/// (release, country, identity level) triples; and the cost of rebuilding the snapshot.
/// </summary>
[MemoryDiagnoser]
public class GateBenchmarks
{
    private const int Batch = 1024;
    private readonly List<GateCase> _cases = [];
    private (string Release, string Country, IdentityLevel Level)[] _questions = [];
    private GateSnapshot _gate = GateSnapshot.Empty;

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(20260612);
        string[] policies = ["us-frontier", "eu-gpai", "lab-safeguards"];
        for (var release = 0; release < 100; release++)
        {
            for (var open = 0; open <= release % 2; open++)
            {
                var indices = JgMetrics.All.Take(JgMetrics.BaseMetricCount).Select(m => random.Next(m.Values.Count)).ToArray();
                var policy = BuiltinPolicies.Find(policies[random.Next(policies.Length)])!;
                _cases.Add(new GateCase($"release-{release}", $"case-{release}-{open}", policy.Decide(new DecisionRequest(JgVector.FromIndices(indices)))));
            }
        }

        _gate = GateSnapshot.Build(_cases);
        _questions = [.. Enumerable.Range(0, Batch).Select(_ => ($"release-{random.Next(200)}", Countries.All[random.Next(Countries.All.Count)], (IdentityLevel)random.Next(4)))];
    }

    [Benchmark(OperationsPerInvoke = Batch)]
    public int Ask()
    {
        var allowed = 0;
        foreach (var (release, country, level) in _questions)
        {
            allowed += (int)_gate.Ask(release, country, level).Access;
        }

        return allowed;
    }

    [Benchmark]
    public GateSnapshot Rebuild() => GateSnapshot.Build(_cases);
}
