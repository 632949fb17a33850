using System.Globalization;
using System.Text;
using Akka.Actor;
using Microsoft.Extensions.Logging;
using Pmcp.Actors.Tools;
using Pmcp.Protocol;
using static Pmcp.Actors.Actors.ToolRouterProtocol;

namespace Pmcp.Actors.Actors;

/// <summary>
/// The tool registry (<c>/user/pmcp-tools</c>): answers <c>tools/list</c> pages and runs each <c>tools/call</c> on a
/// ToolWorker child of its own. A worker is stopped when it fails: a call is not re-run, since tools need not be idempotent.
/// </summary>
public sealed class ToolRouterActor : UntypedActor
{
    private readonly List<McpToolDefinition> _ordered;
    private readonly Dictionary<string, McpToolDefinition> _tools;
    private readonly Dictionary<string, ILogger> _loggers = new(StringComparer.Ordinal);
    private readonly McpServerOptions _options;
    private readonly ILoggerFactory _loggerFactory;
    private string[] _pages;

    public ToolRouterActor(McpServerDefinition definition, McpServerOptions options, ILoggerFactory loggerFactory)
    {
        _options = options;
        _loggerFactory = loggerFactory;
        _ordered = [.. definition.Tools];
        _tools = _ordered.ToDictionary(t => t.Name, StringComparer.Ordinal);
        _pages = BuildPages(_ordered, options.ToolsPageSize);
    }

    public static Props Props(McpServerDefinition definition, McpServerOptions options, ILoggerFactory loggerFactory) =>
        Akka.Actor.Props.Create(() => new ToolRouterActor(definition, options, loggerFactory));

    protected override SupervisorStrategy SupervisorStrategy() => new OneForOneStrategy(_ => Directive.Stop);

    protected override void OnReceive(object message)
    {
        switch (message)
        {
            case CallTool call:
                if (!_tools.TryGetValue(call.ToolName, out var tool))
                {
                    Sender.Tell(new ToolCallFailed(call.Key.CallId, JsonRpcErrorCodes.InvalidParams, $"Unknown tool: {call.ToolName}"));
                    return;
                }
                Context.ActorOf(ToolWorkerActor.Props(tool, call, Sender, Logger(tool.Name), tool.Timeout ?? _options.ToolCallTimeout), call.Key.WorkerName);
                return;

            case AddTool add:
                try
                {
                    add.Tool.Validate();
                }
                catch (ArgumentException ex)
                {
                    Sender.Tell(new Status.Failure(ex));
                    return;
                }
                // Calls in flight keep the definition they started with; a replaced tool keeps its place in the list.
                var index = _ordered.FindIndex(t => t.Name == add.Tool.Name);
                if (index >= 0) _ordered[index] = add.Tool;
                else _ordered.Add(add.Tool);
                _tools[add.Tool.Name] = add.Tool;
                ToolsChanged();
                return;

            case RemoveTool remove:
                var removed = _tools.Remove(remove.Name);
                if (removed)
                {
                    _ordered.RemoveAll(t => t.Name == remove.Name);
                    ToolsChanged();
                }
                else
                {
                    Sender.Tell(new ToolsUpdated(false));
                }
                return;

            case CancelCall cancel:
                var worker = Context.Child(cancel.Key.WorkerName);
                if (!worker.IsNobody()) worker.Tell(ToolWorkerActor.Cancel.Instance);
                return;

            case ListTools list:
                if (TryPageIndex(list.Cursor, out var page))
                    Sender.Tell(new ToolsListed(list.RequestId, _pages[page]));
                else
                    Sender.Tell(new ListFailed(list.RequestId, JsonRpcErrorCodes.InvalidParams, "Invalid cursor."));
                return;

            default:
                Unhandled(message);
                return;
        }
    }

    private ILogger Logger(string tool)
    {
        if (!_loggers.TryGetValue(tool, out var logger))
            _loggers[tool] = logger = _loggerFactory.CreateLogger("Pmcp.Tools." + tool);
        return logger;
    }

    private void ToolsChanged()
    {
        _pages = BuildPages(_ordered, _options.ToolsPageSize);
        Context.System.EventStream.Publish(ToolListChanged.Instance);
        Sender.Tell(new ToolsUpdated(true));
    }

    private bool TryPageIndex(string? cursor, out int page)
    {
        page = 0;
        if (cursor is null) return true;
        try
        {
            var text = Encoding.UTF8.GetString(Convert.FromBase64String(cursor));
            return text.StartsWith("page:", StringComparison.Ordinal)
                && int.TryParse(text.AsSpan(5), NumberStyles.None, CultureInfo.InvariantCulture, out page)
                && page > 0 && page < _pages.Length;
        }
        catch (FormatException)
        {
            return false;
        }
    }

    // Pages are serialized once per change of the tool set, not once per request.
    private static string[] BuildPages(IReadOnlyList<McpToolDefinition> tools, int pageSize)
    {
        var count = Math.Max(1, (tools.Count + pageSize - 1) / pageSize);
        var pages = new string[count];
        for (var i = 0; i < count; i++)
        {
            var slice = tools.Skip(i * pageSize).Take(pageSize).Select(t => t.ToProtocol()).ToArray();
            var next = i + 1 < count ? Convert.ToBase64String(Encoding.UTF8.GetBytes("page:" + (i + 1).ToString(CultureInfo.InvariantCulture))) : null;
            pages[i] = McpJson.Serialize(new ListToolsResult(slice) { NextCursor = next });
        }
        return pages;
    }
}
