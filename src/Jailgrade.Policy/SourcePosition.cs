namespace Jailgrade.Policy;

/// <summary>A 1-based line and column in a policy file.</summary>
public readonly record struct SourcePosition(int Line, int Column)
{
    /// <summary><c>line:column</c>.</summary>
    public override string ToString() => $"{Line}:{Column}";
}
