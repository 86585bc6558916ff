using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Jailgrade.Evaluation.Tests.TestSupport;

/// <summary>
/// A real HTTP/1.1 server on loopback that answers each connection as a test scripts it, for the
/// misbehaviour a well-behaved server never shows: absurd Retry-After values, endless bodies, resets.
/// Every connection serves one request and is then closed.
/// </summary>
internal sealed class LoopbackServer : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly Func<int, NetworkStream, Socket, Task> _respond;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private int _requests;

    /// <param name="respond">Called with the 0-based request number once its headers are read.</param>
    public LoopbackServer(Func<int, NetworkStream, Socket, Task> respond)
    {
        _respond = respond;
        _listener.Start();
        _loop = AcceptAsync();
    }

    /// <summary>An OpenAI-style base URL for this server.</summary>
    public string BaseUrl => $"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/v1";

    /// <summary>Requests read so far.</summary>
    public int Requests => Volatile.Read(ref _requests);

    /// <summary>A complete chat-completions answer with <paramref name="content"/>.</summary>
    public static byte[] Answer(string content) =>
        Response("200 OK", $$$"""{"choices":[{"message":{"role":"assistant","content":"{{{content}}}"}}]}""");

    /// <summary>A response with a JSON body and the given status line and extra header lines.</summary>
    public static byte[] Response(string status, string body, params string[] headers) =>
        Encoding.ASCII.GetBytes($"HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {Encoding.UTF8.GetByteCount(body)}\r\nConnection: close\r\n{string.Concat(headers.Select(h => h + "\r\n"))}\r\n")
            .Concat(Encoding.UTF8.GetBytes(body)).ToArray();

    /// <summary>Ends the connection with a TCP reset instead of an orderly close.</summary>
    public static void Reset(Socket socket)
    {
        socket.LingerState = new LingerOption(true, 0);
        socket.Close();
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        try
        {
            await _loop;
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }

        _stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            var socket = await _listener.AcceptSocketAsync(_stop.Token);
            _ = ServeAsync(socket);
        }
    }

    private async Task ServeAsync(Socket socket)
    {
        try
        {
            await using var stream = new NetworkStream(socket, ownsSocket: true);
            await ReadRequestAsync(stream);
            var number = Interlocked.Increment(ref _requests) - 1;
            await _respond(number, stream, socket);
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException or OperationCanceledException)
        {
            // The client went away (it stopped reading a body too large): nothing to serve.
        }
    }

    // Reads the request line, headers and a Content-Length body, which the client sends in full.
    private async Task ReadRequestAsync(NetworkStream stream)
    {
        var buffer = new List<byte>();
        var one = new byte[1];
        while (!EndsWithBlankLine(buffer))
        {
            if (await stream.ReadAsync(one, _stop.Token) == 0)
            {
                throw new IOException("the client closed the connection");
            }

            buffer.Add(one[0]);
        }

        var headers = Encoding.ASCII.GetString([.. buffer]);
        var length = headers.Split("\r\n").Where(h => h.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase))
            .Select(h => int.Parse(h["Content-Length:".Length..].Trim(), System.Globalization.CultureInfo.InvariantCulture)).FirstOrDefault();
        await stream.ReadExactlyAsync(new byte[length], _stop.Token);
    }

    private static bool EndsWithBlankLine(List<byte> buffer) =>
        buffer.Count >= 4 && buffer[^4] == '\r' && buffer[^3] == '\n' && buffer[^2] == '\r' && buffer[^1] == '\n';
}
