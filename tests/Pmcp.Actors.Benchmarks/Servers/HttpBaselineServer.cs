using System.Buffers;
using System.Collections.Concurrent;
using System.IO.Pipelines;
using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.ObjectPool;
using Pmcp.Actors.Benchmarks.Load;
using Pmcp.Protocol;

namespace Pmcp.Actors.Benchmarks.Servers;

/// <summary>
/// The thin HTTP baseline: a minimal-API POST endpoint on Kestrel that answers <c>initialize</c> (giving out an
/// <c>Mcp-Session-Id</c>), <c>ping</c> and <c>tools/call echo</c> with System.Text.Json (<see cref="ThinJsonRpc"/>, the
/// same code as the WebSocket baseline), as plain <c>application/json</c>; notifications get 202. A session is its id in
/// one dictionary, looked up on every POST (400 without one, 404 for an unknown one) and removed by DELETE. A POST
/// without a session whose <c>MCP-Protocol-Version</c> is 2026-07-28 is a stateless request of that revision, answered
/// on its own after its headers are checked against its body (400 when they disagree). No actors, no SSE, no limits, no
/// other protocol version check: the near-limit reference for MCP over HTTP on this machine, not an MCP server.
/// </summary>
internal static class HttpBaselineServer
{
    private static readonly ConcurrentDictionary<string, byte> Sessions = new(StringComparer.Ordinal);

    /// <summary>A response's buffer and JSON writer, reused from request to request.</summary>
    private static readonly ObjectPool<ResponseBuffer> Buffers = new DefaultObjectPool<ResponseBuffer>(new ResponseBufferPolicy(), Environment.ProcessorCount * 16);

    public static async Task<int> RunAsync(string host, int port)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k =>
        {
            k.Listen(IPAddress.Parse(host), port);
            k.Limits.MaxConcurrentConnections = null;
        });
        var app = builder.Build();
        app.MapPost("/mcp", PostAsync);
        app.MapDelete("/mcp", Delete);
        await app.StartAsync().ConfigureAwait(false);
        Console.WriteLine($"listening on http://{host}:{new Uri(app.Urls.First()).Port}/mcp");
        await app.WaitForShutdownAsync().ConfigureAwait(false);
        return 0;
    }

    private static async Task PostAsync(HttpContext context)
    {
        var reader = context.Request.BodyReader;
        ReadResult read;
        while (true)
        {
            read = await reader.ReadAsync(context.RequestAborted).ConfigureAwait(false);
            if (read.IsCompleted || read.IsCanceled) break;
            reader.AdvanceTo(read.Buffer.Start, read.Buffer.End); // the whole body, before parsing
        }

        var response = Buffers.Get();
        try
        {
            var session = context.Request.Headers[McpHttpHeaderNames.SessionId].ToString();
            var stateless = session.Length == 0 ? Stateless(context.Request.Headers) : null;
            var kind = ThinJsonRpc.Answer(read.Buffer, response.Start(), stateless);
            reader.AdvanceTo(read.Buffer.End);
            response.Writer.Flush();

            var status = StatusCodes.Status200OK;
            if (stateless is not null)
            {
                if (kind == ThinMessageKind.Invalid) status = StatusCodes.Status400BadRequest;
                else if (kind == ThinMessageKind.Notification) status = StatusCodes.Status202Accepted;
            }
            else if (kind == ThinMessageKind.Initialize)
            {
                var id = Guid.NewGuid().ToString("N");
                Sessions[id] = 0;
                context.Response.Headers[McpHttpHeaderNames.SessionId] = id;
            }
            else if (kind != ThinMessageKind.Invalid)
            {
                if (session.Length == 0) status = StatusCodes.Status400BadRequest;
                else if (!Sessions.ContainsKey(session)) status = StatusCodes.Status404NotFound;
                else if (kind == ThinMessageKind.Notification) status = StatusCodes.Status202Accepted;
            }
            else
            {
                status = StatusCodes.Status400BadRequest;
            }

            context.Response.StatusCode = status;
            if (status is StatusCodes.Status200OK || kind == ThinMessageKind.Invalid)
            {
                context.Response.ContentType = "application/json";
                context.Response.ContentLength = response.Output.WrittenCount;
                await context.Response.BodyWriter.WriteAsync(response.Output.WrittenMemory, context.RequestAborted).ConfigureAwait(false);
            }
        }
        finally
        {
            Buffers.Return(response);
        }
    }

    /// <summary>The routing headers of a POST without a session when it is a 2026-07-28 stateless request, else null (a 2025 initialize).</summary>
    private static ThinStatelessHeaders? Stateless(IHeaderDictionary headers)
    {
        var version = headers[McpHttpHeaderNames.ProtocolVersion].ToString();
        return version == McpFrames.StatelessProtocolVersion
            ? new ThinStatelessHeaders(version, headers[McpHttpHeaderNames.Method].ToString(), headers[McpHttpHeaderNames.Name].ToString())
            : null;
    }

    private static IResult Delete(HttpContext context) =>
        Sessions.TryRemove(context.Request.Headers[McpHttpHeaderNames.SessionId].ToString(), out _) ? Results.NoContent() : Results.NotFound();

    private sealed class ResponseBuffer
    {
        public ArrayBufferWriter<byte> Output { get; } = new(512);

        public Utf8JsonWriter Writer { get; }

        public ResponseBuffer() => Writer = new Utf8JsonWriter(Output);

        public Utf8JsonWriter Start()
        {
            Output.ResetWrittenCount();
            Writer.Reset(Output);
            return Writer;
        }
    }

    private sealed class ResponseBufferPolicy : PooledObjectPolicy<ResponseBuffer>
    {
        public override ResponseBuffer Create() => new();

        public override bool Return(ResponseBuffer obj) => obj.Output.Capacity <= 64 * 1024; // an unusually large answer is not kept
    }
}
