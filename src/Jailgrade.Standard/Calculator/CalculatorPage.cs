using System.Net;
using System.Reflection;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;

namespace Jailgrade.Standard.Calculator;

/// <summary>
/// The zero-install calculator: one static HTML page that scores JG 1.0 vectors in any browser, offline.
/// It carries the standard's definition (<see cref="JgDefinition.ToJson"/>) as data and a second,
/// independent implementation of the standard in JavaScript; its own Content Security Policy allows only
/// its one script and one style, by hash, and no connection. The bytes are the same on every run, so a
/// release can publish their SHA-256 (docs/calculator.md).
/// </summary>
public static partial class CalculatorPage
{
    /// <summary>The page's own version: that of the release that generated it, without build metadata.</summary>
    public static string Version { get; } = (typeof(CalculatorPage).Assembly
        .GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.0.0").Split('+')[0];

    private static readonly Lazy<byte[]> Page = new(Build);

    /// <summary>The page, UTF-8 without a byte-order mark, LF line endings.</summary>
    public static ReadOnlyMemory<byte> Bytes => Page.Value;

    /// <summary>Writes the page.</summary>
    public static void Write(Stream destination)
    {
        ArgumentNullException.ThrowIfNull(destination);
        destination.Write(Page.Value);
    }

    /// <summary>The SHA-256 of <see cref="Bytes"/>, lower-case hex.</summary>
    public static string Sha256() => Convert.ToHexStringLower(SHA256.HashData(Page.Value));

    /// <summary>Assembles the page afresh (tests build it twice to show the bytes do not vary).</summary>
    internal static byte[] Build()
    {
        var style = Resource("calculator.css");
        var script = Resource("calculator.js");
        // A data block is never executed, but "</script" inside it would end it: JSON may escape '<'.
        var definition = JgDefinition.ToJson().TrimEnd('\n').Replace("<", "\\u003c", StringComparison.Ordinal);
        var csp = string.Join("; ",
            "default-src 'none'",
            $"script-src '{Hash(script)}'",
            $"style-src '{Hash(style)}'",
            "img-src 'none'",
            "font-src 'none'",
            "connect-src 'none'",
            "form-action 'none'",
            "base-uri 'none'",
            "object-src 'none'");
        var values = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["csp"] = csp,
            ["version"] = WebUtility.HtmlEncode(Version),
            ["style"] = style,
            ["script"] = script,
            ["definition"] = definition,
        };

        // One pass, so that nothing substituted is read again as a placeholder.
        var page = Placeholder().Replace(Resource("calculator.html"), match => values[match.Groups[1].Value]);
        return new UTF8Encoding(encoderShouldEmitUTF8Identifier: false).GetBytes(page);
    }

    private static string Hash(string inline) => $"sha256-{Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes(inline)))}";

    private static string Resource(string name)
    {
        using var stream = typeof(CalculatorPage).Assembly.GetManifestResourceStream($"Jailgrade.Standard.Calculator.{name}")
            ?? throw new InvalidOperationException($"embedded resource {name} is missing from the build");
        using var reader = new StreamReader(stream, Encoding.UTF8);
        // A checkout that turned LF into CRLF must not change the page's bytes or its published hash.
        return reader.ReadToEnd().ReplaceLineEndings("\n");
    }

    [GeneratedRegex(@"\{\{([a-z]+)\}\}")]
    private static partial Regex Placeholder();
}
