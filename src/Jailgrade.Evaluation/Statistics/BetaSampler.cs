using Jailgrade.Evaluation.Internal;

namespace Jailgrade.Evaluation.Statistics;

/// <summary>
/// Beta draws from the seeded source, specified exactly (standard 7.8) so that another implementation
/// consumes the same uniforms in the same order: Beta(a, b) = X / (X + Y) with X ~ Gamma(a) drawn
/// before Y ~ Gamma(b), each by Marsaglia and Tsang's method (2000) with one Box–Muller normal per try.
/// Shapes here are counts plus one, so always at least 1 and the method needs no boost for shape &lt; 1.
/// </summary>
internal static class BetaSampler
{
    /// <summary>One draw from Beta(<paramref name="a"/>, <paramref name="b"/>), both at least 1.</summary>
    public static double Next(SeededRandom random, double a, double b)
    {
        var x = Gamma(random, a);
        var y = Gamma(random, b);
        return x / (x + y);
    }

    /// <summary>Gamma(shape, 1) for shape ≥ 1 (Marsaglia–Tsang).</summary>
    public static double Gamma(SeededRandom random, double shape)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(shape, 1);
        var d = shape - (1.0 / 3);
        var c = 1 / Math.Sqrt(9 * d);
        while (true)
        {
            var x = Normal(random);
            var v = 1 + (c * x);
            if (v <= 0)
            {
                continue;
            }

            v = v * v * v;
            var u = random.NextDouble();
            if (u < 1 - (0.0331 * x * x * x * x) || Math.Log(u) < (0.5 * x * x) + (d * (1 - v + Math.Log(v))))
            {
                return d * v;
            }
        }
    }

    // Box–Muller, cosine branch only: u1 in (0, 1] so the logarithm is finite; the sine partner is not kept,
    // which keeps the stream stateless between calls.
    private static double Normal(SeededRandom random)
    {
        var u1 = 1 - random.NextDouble();
        var u2 = random.NextDouble();
        return Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
    }
}
