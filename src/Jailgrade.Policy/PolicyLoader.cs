using System.Security.Cryptography;
using System.Text;
using Jailgrade.Policy.Internal;
using Jailgrade.Yaml;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Jailgrade.Policy;

/// <summary>The result of loading a policy: the policy, or every error found with its position.</summary>
public sealed record PolicyLoadResult(JgPolicy? Policy, IReadOnlyList<PolicyError> Errors)
{
    /// <summary>Whether the policy loaded and its proofs hold.</summary>
    public bool Succeeded => Policy is not null && Errors.Count == 0;
}

/// <summary>
/// Loads policy files: parses the YAML, checks every key and value, proves the decision table
/// complete and monotone and the eligibility ladders monotone, and compiles the table to a lookup.
/// Never throws for a bad file: errors come back with file, line and column.
/// </summary>
public static class PolicyLoader
{
    /// <summary>Loads a policy from its text; <paramref name="sourceName"/> names it in errors.</summary>
    public static PolicyLoadResult Load(string text, string sourceName)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(sourceName);
        var normalized = Normalize(text);
        var sha256 = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(normalized)));
        var diagnostics = new Diagnostics(sourceName);
        if (Encoding.UTF8.GetByteCount(normalized) is var size and > YamlLimits.MaxFileBytes)
        {
            diagnostics.Add(new SourcePosition(1, 1), PolicyErrorKind.Syntax, TooLarge(size));
            return new PolicyLoadResult(null, diagnostics.Errors);
        }

        var stream = new YamlStream();
        var parser = new BoundedYamlParser(normalized);
        try
        {
            stream.Load(parser);
        }
        catch (YamlException exception)
        {
            var message = exception.InnerException is { } inner && inner.Message != exception.Message
                ? $"{exception.Message}: {inner.Message}"
                : exception.Message;
            diagnostics.Add(Diagnostics.PositionOf(exception.Start), PolicyErrorKind.Syntax, message.Replace(Environment.NewLine, " ", StringComparison.Ordinal));
            return new PolicyLoadResult(null, diagnostics.Errors);
        }
        catch (Exception exception) when (exception is InvalidOperationException or ArgumentException)
        {
            // Some malformed inputs make YamlDotNet fail without a YamlException (an unclosed
            // bracket, a lone ':' line); the last event it produced still says where the file
            // stopped making sense.
            var position = parser.Current is { } last ? Diagnostics.PositionOf(last.End) : new SourcePosition(1, 1);
            diagnostics.Add(position, PolicyErrorKind.Syntax, "malformed YAML after this point (an unclosed [ or {, or a stray character?)");
            return new PolicyLoadResult(null, diagnostics.Errors);
        }

        if (stream.Documents.Count == 0)
        {
            diagnostics.Add(new SourcePosition(1, 1), PolicyErrorKind.Syntax, "the file is empty; a policy file holds one YAML mapping (see docs/policy.md)");
            return new PolicyLoadResult(null, diagnostics.Errors);
        }

        var policy = new PolicyParser(diagnostics).Parse(stream.Documents[0].RootNode, sha256);
        return new PolicyLoadResult(diagnostics.HasErrors ? null : policy, diagnostics.Reported());
    }

    /// <summary>Loads a policy file; a file that cannot be read is reported as an error at 1:1.</summary>
    public static PolicyLoadResult LoadFile(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        string text;
        try
        {
            if (new FileInfo(path).Length is var size and > YamlLimits.MaxFileBytes)
            {
                return new PolicyLoadResult(null, [new PolicyError(path, 1, 1, PolicyErrorKind.Syntax, TooLarge(size))]);
            }

            text = File.ReadAllText(path, Encoding.UTF8);
        }
        catch (Exception exception) when (exception is FileNotFoundException or DirectoryNotFoundException)
        {
            return new PolicyLoadResult(null, [new PolicyError(path, 0, 0, PolicyErrorKind.Unreadable, "policy file not found")]);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            return new PolicyLoadResult(null, [new PolicyError(path, 0, 0, PolicyErrorKind.Unreadable, $"cannot read the file: {exception.Message}")]);
        }

        return Load(text, path);
    }

    /// <summary>The SHA-256 of a policy text as decisions stamp it: UTF-8, LF line endings, no byte-order mark.</summary>
    public static string Sha256Of(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(Normalize(text))));
    }

    private static string TooLarge(long size) =>
        $"the file is {YamlLimits.Format(size)} bytes; a policy file is at most {YamlLimits.Format(YamlLimits.MaxFileBytes)} bytes";

    private static string Normalize(string text) =>
        text.TrimStart('\uFEFF').Replace("\r\n", "\n", StringComparison.Ordinal).Replace('\r', '\n');
}
