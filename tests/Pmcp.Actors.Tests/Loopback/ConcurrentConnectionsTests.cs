using Newtonsoft.Json.Linq;
using Pmcp.Actors.Tests.Support;
using Xunit.Abstractions;

namespace Pmcp.Actors.Tests.Loopback;

[Collection(LoadCollection.Name)]
public sealed class ConcurrentConnectionsTests(ITestOutputHelper output)
{
    private const int Connections = 200;
    private const int CallsPerConnection = 20;

    [Fact]
    public async Task Server_AnswersEachPipelinedCallOnItsOwnId_With200ConcurrentConnections()
    {
        await using var server = await TestServer.StartAsync(output: output);
        var clients = new McpTestClient[Connections];
        try
        {
            var opened = 0;
            var initialized = 0;
            await Task.WhenAll(Enumerable.Range(0, Connections).Select(async i =>
                {
                    var client = await server.ConnectAsync(initialize: false);
                    Interlocked.Increment(ref opened);
                    clients[i] = client;
                    await client.InitializeAsync();
                    Interlocked.Increment(ref initialized);
                }))
                .Within(TimeSpan.FromSeconds(30), () => $"{Connections} clients to connect and initialize ({Volatile.Read(ref opened)} opened, {Volatile.Read(ref initialized)} initialized)");

            var perConnection = await Task.WhenAll(clients.Select(async (client, c) =>
            {
                // Every call is on the wire before the first response is awaited.
                var calls = new List<(PendingRequest Call, string Text)>();
                for (var i = 0; i < CallsPerConnection; i++)
                {
                    var text = $"connection {c} call {i} {Guid.NewGuid():N}";
                    calls.Add((await client.StartToolCallAsync("echo", new { text }), text));
                }

                var mismatches = new List<string>();
                foreach (var (call, text) in calls)
                {
                    var response = await call.ResponseAsync(TimeSpan.FromSeconds(45));
                    if (response.IsToolError || response.FirstText != text)
                    {
                        mismatches.Add($"connection {c}, id {call.Id}: expected \"{text}\", got {response.Raw}");
                    }
                }

                var strays = client.Received.Where(m => m.Method is null && m.Id?.Type is not (JTokenType.Integer or JTokenType.String));
                mismatches.AddRange(strays.Select(m => $"connection {c}: response without a request id: {m.Raw}"));
                return (Count: calls.Count, Mismatches: mismatches);
            })).Within(TimeSpan.FromSeconds(60), "every echo response on every connection");

            Assert.Empty(perConnection.SelectMany(p => p.Mismatches));
            Assert.Equal(Connections * CallsPerConnection, perConnection.Sum(p => p.Count));
            Assert.All(clients, client => Assert.Equal(1 + CallsPerConnection, client.Received.Count)); // initialize + the calls, nothing else
        }
        finally
        {
            await Task.WhenAll(clients.Where(c => c is not null).Select(c => c.DisposeAsync().AsTask()));
        }
    }
}
