using System.Net;

namespace Jailgrade.Evaluation.Targets;

/// <summary>The one pooled <see cref="HttpClient"/> that every target of a run shares.</summary>
public static class EvaluationHttp
{
    /// <summary>
    /// A client with unbounded connections per server (targets limit themselves), no redirects (a
    /// redirected API call is a misconfiguration), no client-wide timeout (attempts have their own) and
    /// no decompression (model APIs answer small JSON uncompressed unless asked; the handler costs CPU
    /// on every request).
    /// </summary>
    public static HttpClient CreateClient() => new(new SocketsHttpHandler
    {
        PooledConnectionLifetime = TimeSpan.FromMinutes(5),
        MaxConnectionsPerServer = int.MaxValue,
        AllowAutoRedirect = false,
        AutomaticDecompression = DecompressionMethods.None,
        ConnectTimeout = TimeSpan.FromSeconds(15),
    })
    {
        Timeout = Timeout.InfiniteTimeSpan,
    };
}
