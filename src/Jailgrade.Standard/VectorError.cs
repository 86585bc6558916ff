namespace Jailgrade.Standard;

/// <summary>What is wrong with a vector that does not parse.</summary>
public enum VectorErrorKind
{
    /// <summary>The input is empty.</summary>
    Empty,
    /// <summary>The input does not start with <c>JG:</c>.</summary>
    UnknownPrefix,
    /// <summary>The prefix names a version other than 1.0.</summary>
    UnknownVersion,
    /// <summary>A component names no metric of the standard.</summary>
    UnknownMetric,
    /// <summary>A metric has a value it does not define.</summary>
    BadValue,
    /// <summary>A metric appears twice.</summary>
    Duplicate,
    /// <summary>Metrics are out of the fixed order.</summary>
    WrongOrder,
    /// <summary>A mandatory base metric is absent.</summary>
    MissingMetric,
    /// <summary>Something follows where the vector should end, or a component is not METRIC:VALUE.</summary>
    TrailingJunk,
}

/// <summary>
/// A structured parse error: the 1-based column where the problem starts, the metric concerned (when
/// there is one) and a message saying what was expected.
/// </summary>
public readonly record struct VectorError(VectorErrorKind Kind, int Position, string? Metric, string Message)
{
    /// <summary><c>column N: message</c>.</summary>
    public override string ToString() => $"column {Position}: {Message}";
}
