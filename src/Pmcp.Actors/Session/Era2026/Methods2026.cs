using Pmcp.Actors.Session.Era2025;
using Pmcp.Protocol;

namespace Pmcp.Actors.Session.Era2026;

/// <summary>
/// The methods of 2026-07-28: one entry per method. Every request is self-describing, so each handler runs behind
/// <see cref="SelfDescribing"/>, which reads (or refuses) its <c>_meta</c> first. The methods this era removed
/// (<c>initialize</c>, <c>ping</c>, <c>logging/setLevel</c>, <c>resources/subscribe</c>, <c>resources/unsubscribe</c>) are
/// not here, so they are answered -32601 like any unknown method. Lists and user code are served by the same handlers
/// as in 2025: only what a request carries differs.
/// </summary>
internal static class Methods2026
{
    public static MethodTable Table { get; } = new(
        new Dictionary<string, MethodEntry>
        {
            [ModernProtocol.Discover] = new(SelfDescribing(Discover.Handle)),
            [ModernProtocol.SubscriptionsListen] = new(SelfDescribing(SubscriptionListens.Handle)),
            [McpMethods.ToolsList] = new(SelfDescribing(ListPage.Handle)),
            [McpMethods.ToolsCall] = new(SelfDescribing(TaskMethods.TaskToolCall.Handle), RunsUserCode: true),
            [McpMethods.ResourcesList] = new(SelfDescribing(ListPage.Handle), Resources),
            [McpMethods.ResourcesTemplatesList] = new(SelfDescribing(ListPage.Handle), Resources),
            [McpMethods.ResourcesRead] = new(SelfDescribing(RunUserCode.Handle), Resources, RunsUserCode: true),
            [McpMethods.PromptsList] = new(SelfDescribing(ListPage.Handle), Prompts),
            [McpMethods.PromptsGet] = new(SelfDescribing(RunUserCode.Handle), Prompts, RunsUserCode: true),
            [McpMethods.CompletionComplete] = new(SelfDescribing(RunUserCode.Handle), c => c.Completions is not null, RunsUserCode: true),
            // The tasks extension (io.modelcontextprotocol/tasks): tasks/result and tasks/list are gone from this era.
            [McpMethods.TasksGet] = new(SelfDescribing(TaskMethods.GetTask.Handle)),
            [McpMethods.TasksUpdate] = new(SelfDescribing(TaskMethods.UpdateTask.Handle)),
            [McpMethods.TasksCancel] = new(SelfDescribing(TaskMethods.CancelTask.Handle)),
        },
        new Dictionary<string, NotificationHandler>
        {
            [McpMethods.Cancelled] = (session, note) => session.ClientCancelled(note.Params),
        });

    /// <summary>
    /// Runs <paramref name="handler"/> once the request's <c>_meta</c> (and, on a retry, its <c>inputResponses</c> and
    /// <c>requestState</c>) are read; a request without valid ones is refused (-32602, -32022).
    /// </summary>
    private static RequestHandler SelfDescribing(RequestHandler handler) => (session, id, request) =>
    {
        if (!session.TryTakeMetaRead(id, out var meta) && !RequestMeta.TryRead(request, out meta, out var refusal))
        {
            session.Reply(id, JsonRpcWriter.Error(id, refusal!));
            return;
        }
        if (session.Modern!.Begin(id, meta, request) is { } invalid)
        {
            session.Reply(id, JsonRpcWriter.Error(id, invalid));
            return;
        }
        handler(session, id, request);
    };

    private static bool Resources(ServerCapabilities capabilities) => capabilities.Resources is not null;

    private static bool Prompts(ServerCapabilities capabilities) => capabilities.Prompts is not null;
}
