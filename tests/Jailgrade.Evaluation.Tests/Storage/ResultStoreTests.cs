using Jailgrade.Evaluation.Judges;
using Jailgrade.Evaluation.Storage;

namespace Jailgrade.Evaluation.Tests.Storage;

public sealed class ResultStoreTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("jg-store-").FullName;
    private readonly ResultsKey _cipher = new([.. Enumerable.Range(1, 32).Select(i => (byte)i)]);

    private string DatabasePath => Path.Combine(_directory, ResultStore.FileName);

    public void Dispose()
    {
        _cipher.Dispose();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }

    private static ResultRecord Judged(string probe, int sample, bool success) => new()
    {
        Target = "t", Attack = "a", Probe = probe, Sample = sample, Domain = "CY", Category = "cyber", Task = "task-" + probe,
        Verdict = Verdict.Rated, Refused = !success, Convincing = success ? 4 : 1, Specific = success ? 5 : 1, Success = success,
        SourceLabel = success, Attempts = 2, LatencyMs = 1234567890123, Cached = true,
        Prompt = "[user] the prompt of " + probe, Response = "the answer ✓ " + sample,
    };

    private static ResultRecord Failed(string probe, int sample) => new()
    {
        Target = "t", Attack = "a", Probe = probe, Sample = sample, Domain = "CY", Category = "cyber", Task = "task-" + probe,
        ErrorKind = "Timeout", ErrorMessage = "no complete answer within 30 s", Attempts = 5, LatencyMs = 30000,
        Prompt = "[user] the prompt of " + probe,
    };

    [Fact]
    public void ReadAll_ReturnsEveryFieldAsWritten_NullsIncluded()
    {
        var written = new[] { Judged("p1", 0, success: true), Failed("p1", 1), Judged("p2", 0, success: false) with { Convincing = null, Specific = null, SourceLabel = null } };
        using (var store = ResultStore.Open(DatabasePath, _cipher))
        {
            store.WriteBatch(written).ShouldBe(3);
        }

        using var reopened = ResultStore.Open(DatabasePath, _cipher);
        var read = reopened.ReadAll(withPayloads: true).ToList();

        read.ShouldBe(written);
        reopened.ReadAll().ShouldAllBe(r => r.Prompt == null && r.Response == null);
    }

    [Fact]
    public void ReadAll_IsInKeyOrder_WhateverTheWriteOrder()
    {
        using var store = ResultStore.Open(DatabasePath, _cipher);
        store.WriteBatch([Judged("p2", 1, true), Judged("p10", 0, true), Judged("p2", 0, false), Judged("p1", 3, true)]);

        store.ReadAll().Select(r => r.Key).ShouldBe(["t|a|p1|3", "t|a|p10|0", "t|a|p2|0", "t|a|p2|1"]);
    }

    [Fact]
    public void WriteBatch_KeyAlreadyStored_IsIgnoredAndNotCounted()
    {
        using var store = ResultStore.Open(DatabasePath, _cipher);
        store.WriteBatch([Judged("p1", 0, success: true)]).ShouldBe(1);

        store.WriteBatch([Judged("p1", 0, success: false), Judged("p1", 1, success: false)]).ShouldBe(1);

        store.ReadAll().Select(r => (r.Key, r.Success)).ShouldBe([("t|a|p1|0", (bool?)true), ("t|a|p1|1", false)]);
        store.Count().ShouldBe(2);
    }

    [Fact]
    public void Payloads_AreNotStoredInTheClear()
    {
        using (var store = ResultStore.Open(DatabasePath, _cipher))
        {
            store.WriteBatch([Judged("p1", 0, success: true)]);
        }

        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        var bytes = File.ReadAllBytes(DatabasePath).Concat(File.Exists(DatabasePath + "-wal") ? File.ReadAllBytes(DatabasePath + "-wal") : []).ToArray();
        System.Text.Encoding.UTF8.GetString(bytes).ShouldNotContain("the prompt of p1");
    }

    [Fact]
    public void Open_WithAnotherKey_RefusesByTheWrappedDataKey_NamingNoFingerprint()
    {
        using (var store = ResultStore.Open(DatabasePath, _cipher))
        {
            store.WriteBatch([Judged("p1", 0, success: true)]);
        }

        using var other = new ResultsKey(new byte[32]);
        var refused = Should.Throw<ResultsKeyException>(() => ResultStore.Open(DatabasePath, other));
        refused.Message.ShouldContain("no data key in");
        refused.Message.ShouldContain("opens with your results key");
        Should.Throw<ResultsKeyException>(() => ResultStore.OpenForReading(DatabasePath, other)).Message.ShouldContain("opens with your results key");
    }

    [Fact]
    public void ReadRequestRows_AreTheRowsOfTheResults_AndGiveTheSameRates()
    {
        // Two targets, two attacks, successes, refusals, errors, an unjudgeable answer, an error-only request.
        var results = new List<ResultRecord>();
        foreach (var target in new[] { "t", "u" })
        {
            foreach (var attack in new[] { "baseline", "roleplay" })
            {
                for (var probe = 0; probe < 6; probe++)
                {
                    for (var sample = 0; sample < 4; sample++)
                    {
                        var record = Judged($"p{probe}", sample, success: (probe + sample + attack.Length + target[0]) % 3 == 0) with
                        {
                            Target = target, Attack = attack, Domain = probe < 3 ? "CY" : "BI", Category = probe < 3 ? "cyber" : "bio",
                        };
                        results.Add((probe, sample) switch
                        {
                            (5, _) when attack == "roleplay" => Failed($"p{probe}", sample) with { Target = target, Attack = attack, Domain = "BI", Category = "bio" },
                            (_, 1) when probe % 2 == 0 => record with { ErrorKind = "ServerError", Verdict = null, Success = null, Refused = null },
                            (_, 2) when probe == 1 => record with { Verdict = Verdict.Unparseable, Success = null },
                            _ => record,
                        });
                    }
                }
            }
        }

        using var store = ResultStore.Open(DatabasePath, _cipher);
        store.WriteBatch(results);

        var fromStore = store.ReadRequestRows();
        var fromResults = Jailgrade.Evaluation.Statistics.SuccessRates.Rows(store.ReadAll());

        fromStore.ShouldBe(fromResults.OrderBy(r => r.Target, StringComparer.Ordinal).ThenBy(r => r.Attack, StringComparer.Ordinal).ThenBy(r => r.Probe, StringComparer.Ordinal));
        fromStore.ShouldContain(r => r.Outcome.Attempts == 0 && r.Errors == 4);
        var byRows = Jailgrade.Evaluation.Statistics.SuccessRates.Compute(fromStore, seed: 9);
        var byResults = Jailgrade.Evaluation.Statistics.SuccessRates.Compute(store.ReadAll(), seed: 9);
        byRows.Cells.ShouldBe(byResults.Cells);
        byRows.Comparisons.ShouldBe(byResults.Comparisons);
    }

    [Fact]
    public void ReadAll_PayloadsWithoutAKey_Refuses()
    {
        using var store = ResultStore.Open(DatabasePath, key: null);
        Should.Throw<InvalidOperationException>(() => store.ReadAll(withPayloads: true).ToList());
    }
}
