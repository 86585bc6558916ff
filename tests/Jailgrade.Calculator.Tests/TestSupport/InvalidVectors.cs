using Jailgrade.Standard;

namespace Jailgrade.Calculator.Tests.TestSupport;

/// <summary>
/// Strings near valid vectors, for holding two parsers to the same errors: the examples of section 6.4
/// and, around a few valid vectors, every truncation and every single-character deletion, replacement
/// and insertion (from a small alphabet of the characters that matter), and component swaps, drops and
/// repeats. Deterministic: the same corpus on every run.
/// </summary>
public static class InvalidVectors
{
    private static readonly string[] Seeds =
    [
        "JG:1.0/UN:U/RL:H/AC:L/AR:N/HD:CY/UP:3/BR:W/FD:H/EX:P/DP:G",
        "JG:1.0/UN:N/RL:L/AC:H/AR:P/HD:PO/UP:0/BR:N/FD:L/EX:N/DP:I/MS:X",
        "JG:1.0/UN:C/RL:M/AC:M/AR:V/HD:WP/UP:2/BR:S/FD:M/EX:A/DP:O/MS:P",
    ];

    private static readonly string[] Examples =
    [
        "", " ", "jg:1.0/UN:U", "CVSS:4.0/AV:N", "JG", "JG:", "JG:/", "JG:2.0/UN:U", "JG:1.0X", "JG:1.0", "JG:1.0/",
        "JG:1.0/UN", "JG:1.0/UN:", "JG:1.0/UN:CU", "JG:1.0/UN:CU/RL:H", "JG:1.0/un:U", "JG:1.0/XX:1", "JG:1.0//UN:U",
        "JG:1.0/UN:U/UN:U/RL:H", "JG:1.0/UN:U/AC:L/RL:H/AR:N", "JG:1.0/UN:U/RL:H/AR:N/HD:CY",
        "JG:1.0/UN:U/RL:H/AC:L/AR:N/HD:cy/UP:3", "JG:1.0/UN:U/RL:H/AC:L/AR:N/HD:CY/UP:5",
        "JG:1.0/UN:U/RL:H/AC:L/AR:N/HD:CY/UP:3/BR:W/FD:H/EX:P",
        "JG:1.0/UN:U/RL:H/AC:L/AR:N/HD:CY/UP:3/BR:W/FD:H/EX:P/DP:GX",
        "JG:1.0/UN:U/RL:H/AC:L/AR:N/HD:CY/UP:3/BR:W/FD:H/EX:P/DP:G/",
        "JG:1.0/UN:U/RL:H/AC:L/AR:N/HD:CY/UP:3/BR:W/FD:H/EX:P/DP:G/XX:1",
        "JG:1.0/UN:U/RL:H/AC:L/AR:N/HD:CY/UP:3/BR:W/FD:H/EX:P/DP:G/foo",
        "JG:1.0/UN:U/RL:H/AC:L/AR:N/HD:CY/UP:3/BR:W/FD:H/EX:P/DP:G/MS:VV",
        "JG:1.0/UN:U/RL:H/AC:L/AR:N/HD:CY/UP:3/BR:W/FD:H/EX:P/DP:G/MS:N:",
        "JG:1.0/UN:U/RL:H/AC:L/AR:N/HD:CY/UP:3/BR:W/FD:H/EX:P/DP:G/MS:",
        "JG:1.0/UN:U/RL:H/AC:L/AR:N/HD:CY/UP:3/BR:W/FD:H/EX:P/DP:G/MS:P/MS:P",
        "JG:1.0/UN:U/RL:H/AC:L/AR:N/HD:CY/UP:3/BR:W/FD:H/EX:P/MS:P/DP:G",
        "JG:1.0/UN:U/RL:H/AC:L/AR:N/HD:CY/UP:3/BR:W/FD:H/EX:P/DP:G/MS:P/DP:G",
        "JG:1.0/UN:<img src=x onerror=alert(1)>", "JG:1.0/UN:U/RL:H/AC:L/AR:N/HD:CY/UP:3/BR:W/FD:H/EX:P/DP:Gé",
        "JG:1.0/UN:U/RL:H/AC:L/AR:N/HD:CY/UP:3/BR:W/FD:H/EX:P/DP:G\n", "\u00e9G:1.0",
    ];

    private const string Alphabet = "/:XxU0 <é";

    public static IReadOnlyList<string> Corpus()
    {
        var corpus = new List<string>(Examples);
        foreach (var seed in Seeds)
        {
            for (var i = 0; i <= seed.Length; i++)
            {
                corpus.Add(seed[..i]);
                foreach (var c in Alphabet)
                {
                    corpus.Add(seed.Insert(i, c.ToString()));
                    if (i < seed.Length)
                    {
                        corpus.Add(string.Concat(seed.AsSpan(0, i), c.ToString(), seed.AsSpan(i + 1)));
                    }
                }

                if (i < seed.Length)
                {
                    corpus.Add(seed.Remove(i, 1));
                }
            }

            var components = seed.Split('/');
            for (var i = 1; i < components.Length; i++)
            {
                corpus.Add(string.Join('/', components.Where((_, k) => k != i)));
                corpus.Add(string.Join('/', components.Take(i + 1).Append(components[i]).Concat(components.Skip(i + 1))));
                for (var j = i + 1; j < components.Length; j++)
                {
                    var swapped = (string[])components.Clone();
                    (swapped[i], swapped[j]) = (swapped[j], swapped[i]);
                    corpus.Add(string.Join('/', swapped));
                }
            }
        }

        return [.. corpus.Distinct(StringComparer.Ordinal)];
    }

    /// <summary>The reference's error kinds under the names the standard gives the classes (section 6.4).</summary>
    public static string ClassName(VectorErrorKind kind) => kind switch
    {
        VectorErrorKind.Empty => "empty",
        VectorErrorKind.UnknownPrefix => "unknown prefix",
        VectorErrorKind.UnknownVersion => "unknown version",
        VectorErrorKind.UnknownMetric => "unknown metric",
        VectorErrorKind.BadValue => "bad value",
        VectorErrorKind.Duplicate => "duplicate",
        VectorErrorKind.WrongOrder => "wrong order",
        VectorErrorKind.MissingMetric => "missing metric",
        VectorErrorKind.TrailingJunk => "trailing junk",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "a class the standard does not name"),
    };
}
