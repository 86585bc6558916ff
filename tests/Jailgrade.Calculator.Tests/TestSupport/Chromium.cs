using Microsoft.Playwright;
using Jailgrade.Standard.Calculator;

namespace Jailgrade.Calculator.Tests.TestSupport;

/// <summary>
/// Debian's chromium, driven headless by Playwright (browser downloads are not possible here: .ci/run
/// installs the distribution's package). One browser serves every test; each test gets its own context.
/// </summary>
public sealed class Chromium : IAsyncLifetime
{
    public const string ExecutablePath = "/usr/bin/chromium";

    /// <summary>Why browser tests cannot run here, or null when they can.</summary>
    public static string? Missing { get; } = File.Exists(ExecutablePath)
        ? null
        : $"chromium is not installed at {ExecutablePath} (apt-get install -y chromium); the calculator's browser tests did not run";

    /// <summary>In CI a missing browser fails the tests instead of skipping them.</summary>
    public static bool InCi => Environment.GetEnvironmentVariable("CI") is "true" or "1";

    // We run as root, hence no sandbox; the rest keeps the browser from reaching out on its own.
    private static readonly string[] Arguments =
    [
        "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync",
    ];

    private IPlaywright? _playwright;
    private IBrowser? _browser;
    private readonly string _directory = Directory.CreateTempSubdirectory("jailgrade-calculator-").FullName;

    /// <summary>The page exactly as <c>jailgrade calculator</c> writes it, as a file.</summary>
    public string PagePath => Path.Combine(_directory, "jg.html");

    /// <summary>The file:// address of the page.</summary>
    public string PageUrl => new Uri(PagePath).AbsoluteUri;

    public IBrowser Browser => _browser ?? throw new InvalidOperationException(Missing ?? "the browser did not start");

    public async Task InitializeAsync()
    {
        await File.WriteAllBytesAsync(PagePath, CalculatorPage.Bytes.ToArray());
        if (Missing is not null)
        {
            return;
        }

        _playwright = await Playwright.CreateAsync();
        _browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ExecutablePath,
            Headless = true,
            Args = Arguments,
        });
    }

    public async Task DisposeAsync()
    {
        if (_browser is not null)
        {
            await _browser.DisposeAsync();
        }

        _playwright?.Dispose();
        Directory.Delete(_directory, recursive: true);
    }
}

[CollectionDefinition(Name)]
public sealed class ChromiumTests : ICollectionFixture<Chromium>
{
    public const string Name = "chromium";
}

/// <summary>
/// A test that needs the browser: skipped with the reason when chromium is missing on a developer's
/// machine, but run (and so failed) in CI, where a skipped browser test would prove nothing.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class BrowserFactAttribute : FactAttribute
{
    public BrowserFactAttribute()
    {
        if (Chromium.Missing is { } reason && !Chromium.InCi)
        {
            Skip = $"SKIPPED LOUDLY: {reason}. CI=true makes this a failure.";
        }
    }
}
