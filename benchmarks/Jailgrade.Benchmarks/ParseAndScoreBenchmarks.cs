using BenchmarkDotNet.Attributes;
using Jailgrade.Standard;
using Jailgrade.Standard.Scoring;
using Jailgrade.Standard.Tables;

namespace Jailgrade.Benchmarks;

/// <summary>
/// The hot path of bulk scoring: parse a vector from characters and compute its base score. One
/// operation = one vector; the batch cycles through 4,096 distinct vectors spread over the table.
/// Target (issue 2): at least 5 million vectors per second on one core, zero bytes allocated.
/// </summary>
[MemoryDiagnoser]
public class ParseAndScoreBenchmarks
{
    private const int Batch = 4096;
    private char[] _text = [];
    private int[] _starts = [];
    private int[] _lengths = [];

    [GlobalSetup]
    public void Setup()
    {
        var vectors = ScoreTable.BaseVectors().Where((_, i) => i % 149 == 0).Take(Batch).Select(v => v.ToString()).ToArray();
        _text = string.Concat(vectors).ToCharArray();
        _starts = new int[Batch];
        _lengths = new int[Batch];
        var offset = 0;
        for (var i = 0; i < Batch; i++)
        {
            _starts[i] = offset;
            _lengths[i] = vectors[i].Length;
            offset += vectors[i].Length;
        }
    }

    [Benchmark(OperationsPerInvoke = Batch)]
    public int ParseAndScore()
    {
        var sum = 0;
        for (var i = 0; i < Batch; i++)
        {
            if (JgVector.TryParse(_text.AsSpan(_starts[i], _lengths[i]), out var vector, out _))
            {
                sum += JgScorer.BaseTenths(vector);
            }
        }

        return sum;
    }

    [Benchmark(OperationsPerInvoke = Batch)]
    public int ParseScoreAndFormatRecord()
    {
        Span<char> line = stackalloc char[96];
        var total = 0;
        for (var i = 0; i < Batch; i++)
        {
            if (JgScorer.TryScore(_text.AsSpan(_starts[i], _lengths[i]), out var score, out _))
            {
                score.Vector.TryFormat(line, out var written);
                score.Base.TryFormat(line[written..], out var scoreLength);
                total += written + scoreLength + (int)score.Band;
            }
        }

        return total;
    }
}
