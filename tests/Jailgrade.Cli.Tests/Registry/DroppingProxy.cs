using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Jailgrade.Cli.Tests.Registry;

/// <summary>
/// A TCP proxy on loopback in front of a server that forwards everything, except that for the first
/// <c>dropPosts</c> POST requests it lets the server answer (so the server has committed the write) and
/// then resets the client's connection instead of passing the answer on: the client sees a connection
/// reset and cannot tell whether its request was written.
/// </summary>
internal sealed class DroppingProxy : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly Uri _upstream;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accepting;
    private int _dropsLeft;
    private int _dropped;

    public DroppingProxy(Uri upstream, int dropPosts)
    {
        _upstream = upstream;
        _dropsLeft = dropPosts;
        _listener.Start();
        _accepting = AcceptAsync();
    }

    public string Url => $"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}";

    /// <summary>How many answers were withheld from the client.</summary>
    public int Dropped => Volatile.Read(ref _dropped);

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            _ = Task.Run(() => RelayAsync(client));
        }
    }

    private async Task RelayAsync(TcpClient client)
    {
        using (client)
        using (var server = new TcpClient())
        {
            try
            {
                await server.ConnectAsync(_upstream.Host, _upstream.Port, _stop.Token);
                var fromClient = client.GetStream();
                var toServer = server.GetStream();
                var dropNextAnswer = 0;
                var upstream = Task.Run(async () =>
                {
                    var buffer = new byte[16384];
                    int read;
                    while ((read = await fromClient.ReadAsync(buffer, _stop.Token)) > 0)
                    {
                        if (Encoding.ASCII.GetString(buffer, 0, Math.Min(read, 5)) == "POST " && Interlocked.Decrement(ref _dropsLeft) >= 0)
                        {
                            Volatile.Write(ref dropNextAnswer, 1);
                        }

                        await toServer.WriteAsync(buffer.AsMemory(0, read), _stop.Token);
                    }
                });
                var answer = new byte[16384];
                int got;
                while ((got = await toServer.ReadAsync(answer, _stop.Token)) > 0)
                {
                    if (Volatile.Read(ref dropNextAnswer) == 1)
                    {
                        // The server has answered, so its write is committed: the client gets a reset instead.
                        Interlocked.Increment(ref _dropped);
                        client.Client.LingerState = new LingerOption(true, 0);
                        client.Client.Close();
                        return;
                    }

                    await fromClient.WriteAsync(answer.AsMemory(0, got), _stop.Token);
                }

                await upstream;
            }
            catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
            {
                // A connection ended: nothing to relay.
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _accepting;
        _stop.Dispose();
    }
}
