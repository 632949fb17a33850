using System.Collections.Concurrent;
using System.Collections.Frozen;
using Akka.Actor;
using Microsoft.Extensions.Logging;
using Newtonsoft.Json.Linq;
using Pmcp.Actors.Security;
using Pmcp.Actors.Tools;
using Pmcp.Protocol;

namespace Pmcp.Actors.Actors;

/// <summary>
/// The tools this node runs itself, as its connections see them. A connection that finds a called tool here runs it as
/// a task of its own (<see cref="Start"/>) instead of sending the call through the router to a worker actor: on a node
/// that hosts its tools, that hop and a short-lived actor per call were about half of a call's CPU. The router republishes
/// the snapshot on every change of its tool list and counts the calls running here with its workers.
/// Shared by one router and its connections; every member is thread-safe.
/// </summary>
public sealed class LocalTools(ILoggerFactory loggerFactory)
{
    private readonly ConcurrentDictionary<string, ILogger> _loggers = new(StringComparer.Ordinal);
    private volatile FrozenDictionary<string, McpToolDefinition> _tools = FrozenDictionary<string, McpToolDefinition>.Empty;
    private int _running;

    /// <summary>Calls running user code on connections now (a timed-out call stops counting at its deadline).</summary>
    public int RunningCalls => Volatile.Read(ref _running);

    internal McpToolDefinition? Find(string name) => _tools.GetValueOrDefault(name);

    internal void Publish(IEnumerable<McpToolDefinition> tools) => _tools = tools.ToFrozenDictionary(t => t.Name, StringComparer.Ordinal);

    /// <summary>The log category of a tool or request kind: <c>Pmcp.Tools.&lt;name&gt;</c>.</summary>
    internal ILogger Logger(string category) => _loggers.GetOrAdd(category, static (c, factory) => factory.CreateLogger("Pmcp.Tools." + c), loggerFactory);

    /// <summary>
    /// How a tool's failures, cancellations and timeouts are answered, with the tool's logger: one per tool name, found
    /// with one lookup per call.
    /// </summary>
    internal ToolOutcomes Outcomes(string toolName) => _outcomes.GetOrAdd(toolName, static (name, self) => new ToolOutcomes(name, self.Logger(name)), this);

    private readonly ConcurrentDictionary<string, ToolOutcomes> _outcomes = new(StringComparer.Ordinal);

    /// <summary>
    /// Starts a tool call for <paramref name="connection"/>. The answer never fails; a tool that finishes at once (most
    /// do) leaves it completed, so the connection can answer without a round trip through its mailbox.
    /// </summary>
    internal (CallExecution Execution, ValueTask<object> Answer) Start(McpToolDefinition tool, long callId, RequestId requestId, JObject arguments,
        IActorRef connection, TimeSpan timeout, bool wantsProgress, CallerIdentity? caller)
    {
        var execution = CallExecution.ForTool(tool, Outcomes(tool.Name), callId, requestId, arguments, connection, timeout, wantsProgress, caller, answersWhole: true);
        Interlocked.Increment(ref _running);
        var answer = execution.RunAsync();
        if (!answer.IsCompleted) return (execution, new(CountedAsync(answer)));
        Interlocked.Decrement(ref _running);
        return (execution, answer);
    }

    private async Task<object> CountedAsync(ValueTask<object> answer)
    {
        try
        {
            return await answer.ConfigureAwait(false);
        }
        finally
        {
            Interlocked.Decrement(ref _running);
        }
    }
}
