using System.Net;
using Jailgrade.Cli.Hosting;

namespace Jailgrade.Cli.Remote;

/// <summary>
/// The registry server's base URL, checked before anything is sent: http or https, a host, no user
/// name or password in it, and plain http only to a loopback host, since an API key sent in clear over
/// a network is a key given away (SECURITY.md 1, "Transport").
/// </summary>
internal static class ServerAddress
{
    public const string Default = "http://127.0.0.1:5080";

    public static Uri Parse(string text)
    {
        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps) || uri.Host.Length == 0)
        {
            throw new RemoteException(ExitCode.UsageError, $"server '{TerminalText.Escape(text)}': expected an http:// or https:// URL such as {Default}");
        }

        if (uri.UserInfo.Length > 0 || uri.Query.Length > 0 || uri.Fragment.Length > 0)
        {
            throw new RemoteException(ExitCode.UsageError, $"server {uri.Scheme}://{uri.Host}: expected a base URL with no user name, password, query or fragment (the key comes from --key-file or JAILGRADE_KEY)");
        }

        if (uri.Scheme == Uri.UriSchemeHttp && !IsLoopback(uri.Host))
        {
            throw new RemoteException(ExitCode.UsageError,
                $"refusing to send an API key to {uri.GetLeftPart(UriPartial.Authority)} over plain http: use https://, or http:// only to a loopback host (127.0.0.1, ::1, localhost)");
        }

        // A base that ends in '/', so relative paths append to any path prefix it has.
        return uri.AbsolutePath.EndsWith('/') ? uri : new Uri(uri.GetLeftPart(UriPartial.Path) + "/");
    }

    /// <summary>127.0.0.0/8, ::1 (and IPv4-mapped loopback) or the name localhost.</summary>
    public static bool IsLoopback(string host) =>
        host.Equals("localhost", StringComparison.OrdinalIgnoreCase)
        || (IPAddress.TryParse(host.Trim('[', ']'), out var address) && IPAddress.IsLoopback(address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address));
}
