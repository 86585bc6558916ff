using Microsoft.Playwright;

namespace Jailgrade.Server.Tests.ApiDocs;

/// <summary>
/// Debian's chromium driven headless by Playwright, as the calculator's tests drive it (no browser
/// download is possible here; .ci/run installs the distribution's package). One browser per test class.
/// </summary>
public sealed class DocsBrowser : IAsyncLifetime
{
    public const string ExecutablePath = "/usr/bin/chromium";

    /// <summary>Why the browser test cannot run here, or null when it can.</summary>
    public static string? Missing { get; } = File.Exists(ExecutablePath) ? null : $"chromium is not installed at {ExecutablePath} (apt-get install -y chromium)";

    private IPlaywright? _playwright;

    public IBrowser? Browser { get; private set; }

    public async Task InitializeAsync()
    {
        if (Missing is not null)
        {
            return;
        }

        _playwright = await Playwright.CreateAsync();
        // Root needs --no-sandbox; the rest keeps the browser from reaching out on its own.
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ExecutablePath,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        });
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.DisposeAsync();
        }

        _playwright?.Dispose();
    }
}

/// <summary>Skipped with the reason when chromium is missing on a developer's machine; in CI (CI=true) it runs, and so fails.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class DocsBrowserFactAttribute : FactAttribute
{
    public DocsBrowserFactAttribute()
    {
        if (DocsBrowser.Missing is { } reason && Environment.GetEnvironmentVariable("CI") is not ("true" or "1"))
        {
            Skip = $"SKIPPED LOUDLY: {reason}. CI=true makes this a failure.";
        }
    }
}
