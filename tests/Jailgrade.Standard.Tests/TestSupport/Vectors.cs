using Jailgrade.Standard.Scoring;

namespace Jailgrade.Standard.Tests.TestSupport;

internal static class Vectors
{
    /// <summary>The calibration anchors of DESIGN.md and docs/standard/jg-1.0.md.</summary>
    public static TheoryData<string, Band> Anchors => new()
    {
        { "JG:1.0/UN:U/RL:H/AC:L/AR:N/HD:CY/UP:3/BR:W/FD:H/EX:P/DP:G", Band.Critical },
        { "JG:1.0/UN:N/RL:L/AC:H/AR:N/HD:CY/UP:1/BR:N/FD:M/EX:N/DP:G", Band.Low },
        { "JG:1.0/UN:C/RL:M/AC:M/AR:N/HD:CY/UP:3/BR:S/FD:H/EX:N/DP:G", Band.High },
        { "JG:1.0/UN:N/RL:M/AC:M/AR:N/HD:FR/UP:1/BR:N/FD:M/EX:N/DP:G", Band.Low },
        { "JG:1.0/UN:C/RL:M/AC:H/AR:N/HD:BI/UP:2/BR:S/FD:M/EX:N/DP:O", Band.High },
        { "JG:1.0/UN:U/RL:H/AC:L/AR:N/HD:PO/UP:0/BR:W/FD:H/EX:A/DP:G", Band.None },
    };

    public const string Critical = "JG:1.0/UN:U/RL:H/AC:L/AR:N/HD:CY/UP:3/BR:W/FD:H/EX:P/DP:G";
}
