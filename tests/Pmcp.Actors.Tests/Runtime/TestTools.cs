using Newtonsoft.Json.Linq;
using Pmcp.Actors.Tools;
using Pmcp.Protocol;

namespace Pmcp.Actors.Tests.Runtime;

/// <summary>Tools for specs, with hooks a spec can hold and release.</summary>
internal sealed class TestTools
{
    /// <summary>Completed by the spec to let every waiting <c>block</c> call finish.</summary>
    public TaskCompletionSource Release { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completed when a <c>block</c> call sees its token cancelled.</summary>
    public TaskCompletionSource Cancelled { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public int Started;

    public McpServerBuilder AddTo(McpServerBuilder builder) => builder
        .Tool("echo", (args, _) => Task.FromResult(CallToolResult.Text((string?)args["text"] ?? "")), "Echoes text.")
        .Tool("throw", (_, _) => throw new InvalidOperationException("boom"), "Always throws.")
        .Tool("block", BlockAsync, "Waits until the spec releases it or the call is cancelled.")
        .Tool("progress", ProgressAsync, "Reports 1, 2, 2 and 3 of 3, then answers.")
        .Tool("null", (_, _) => Task.FromResult<CallToolResult>(null!), "Returns no result.");

    private async Task<CallToolResult> BlockAsync(JObject args, ToolContext context)
    {
        Interlocked.Increment(ref Started);
        try
        {
            await Release.Task.WaitAsync(context.CancellationToken);
            return CallToolResult.Text("released");
        }
        catch (OperationCanceledException)
        {
            Cancelled.TrySetResult();
            throw;
        }
    }

    private static Task<CallToolResult> ProgressAsync(JObject args, ToolContext context)
    {
        context.Progress.Report(1, 3, "one");
        context.Progress.Report(2, 3, "two");
        context.Progress.Report(2, 3, "two again");
        context.Progress.Report(3, 3, "three");
        return Task.FromResult(CallToolResult.Text("done"));
    }
}
