namespace Jailgrade.Registry.Persistence;

/// <summary>A registry-wide setting written by <c>admin init</c> (the log origin, the master key's id).</summary>
public sealed class RegistrySetting
{
    public required string Name { get; set; }

    public required string Value { get; set; }
}
