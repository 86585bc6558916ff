using BenchmarkDotNet.Attributes;
using Jailgrade.Policy;
using Jailgrade.Policy.Decisions;
using Jailgrade.Policy.Obligations;
using Jailgrade.Standard;

namespace Jailgrade.Policy.Benchmarks;

/// <summary>
/// Decisions per second on one core. Each invocation decides <see cref="Batch"/> different cases
/// drawn from a fixed-seed sample of the vector space, so the figure is per decision and branch
/// prediction cannot learn one case.
/// </summary>
[MemoryDiagnoser]
public class DecisionBenchmarks
{
    private const int Batch = 1024;
    private DecisionRequest[] _requests = [];
    private DecisionRequest[] _withCountries = [];
    private JgPolicy _policy = null!;
    private string _policyText = "";

    [Params("us-frontier", "eu-gpai", "lab-safeguards")]
    public string PolicyId { get; set; } = "us-frontier";

    [GlobalSetup]
    public void Setup()
    {
        _policy = BuiltinPolicies.Find(PolicyId)!;
        _policyText = BuiltinPolicies.TextOf(PolicyId)!;
        var random = new Random(20260612);
        var reported = new DateTimeOffset(2026, 6, 12, 9, 0, 0, TimeSpan.Zero);
        string[] incidents = ["none", "other-harm", "death", "cybersecurity-breach", "infrastructure-disruption"];
        _requests = new DecisionRequest[Batch];
        _withCountries = new DecisionRequest[Batch];
        for (var i = 0; i < Batch; i++)
        {
            var indices = JgMetrics.All.Take(JgMetrics.BaseMetricCount).Select(m => random.Next(m.Values.Count)).ToArray();
            var request = new DecisionRequest(JgVector.FromIndices(indices))
            {
                Clock = new CaseClock(Reported: reported, Decided: reported.AddHours(6)),
                Facts = new Dictionary<string, string> { ["incident"] = incidents[random.Next(incidents.Length)] },
            };
            _requests[i] = request;
            _withCountries[i] = request with { Countries = ["US", "CN", "BR"] };
        }
    }

    /// <summary>A complete decision: table lookup, every obligation scheduled, eligibility attached.</summary>
    [Benchmark(OperationsPerInvoke = Batch)]
    public int Decide()
    {
        var sum = 0;
        foreach (var request in _requests)
        {
            _policy.TryDecide(request, null, out var decision, out _);
            sum += (int)decision!.Outcome + decision.Obligations.Count;
        }

        return sum;
    }

    /// <summary>The outcome and row alone: the compiled table lookup, obligations left unscheduled.</summary>
    [Benchmark(OperationsPerInvoke = Batch)]
    public int DecideOutcome()
    {
        var sum = 0;
        foreach (var request in _requests)
        {
            _policy.TryDecide(request, null, out var decision, out _);
            sum += (int)decision!.Outcome;
        }

        return sum;
    }

    /// <summary>The same with three countries mapped to their tiers (materialized, as JSON output does).</summary>
    [Benchmark(OperationsPerInvoke = Batch)]
    public int DecideWithCountries()
    {
        var sum = 0;
        foreach (var request in _withCountries)
        {
            _policy.TryDecide(request, null, out var decision, out _);
            sum += decision!.Countries.Count;
        }

        return sum;
    }

    /// <summary>Parsing, checking and proving the policy file, and compiling its table.</summary>
    [Benchmark]
    public object? Load() => PolicyLoader.Load(_policyText, PolicyId).Policy;
}
