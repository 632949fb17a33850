using Pmcp.Protocol;

namespace Pmcp.Actors.Session.Era2025;

/// <summary>The methods of the 2025 revisions (2025-03-26, 2025-06-18, 2025-11-25): one entry per method, its handler in this folder.</summary>
internal static class Methods2025
{
    public static MethodTable Table { get; } = new(
        new Dictionary<string, MethodEntry>
        {
            [McpMethods.Ping] = new(Ping.Handle, BeforeInitialize: true),
            [McpMethods.Initialize] = new(Initialize.Handle, BeforeInitialize: true),
            [McpMethods.LoggingSetLevel] = new(SetLogLevel.Handle),
            [McpMethods.ToolsList] = new(ListPage.Handle),
            [McpMethods.ToolsCall] = new(TaskMethods.TaskToolCall.Handle, RunsUserCode: true),
            [McpMethods.ResourcesList] = new(ListPage.Handle, Resources),
            [McpMethods.ResourcesTemplatesList] = new(ListPage.Handle, Resources),
            [McpMethods.ResourcesRead] = new(RunUserCode.Handle, Resources, RunsUserCode: true),
            [McpMethods.ResourcesSubscribe] = new(Subscription.Subscribe, Resources),
            [McpMethods.ResourcesUnsubscribe] = new(Subscription.Unsubscribe, Resources),
            [McpMethods.PromptsList] = new(ListPage.Handle, Prompts),
            [McpMethods.PromptsGet] = new(RunUserCode.Handle, Prompts, RunsUserCode: true),
            [McpMethods.CompletionComplete] = new(RunUserCode.Handle, c => c.Completions is not null, RunsUserCode: true),
            [McpMethods.TasksGet] = new(TaskMethods.GetTask.Handle),
            [McpMethods.TasksResult] = new(TaskMethods.TaskResult.Handle),
            [McpMethods.TasksList] = new(TaskMethods.ListTasks.Handle),
            [McpMethods.TasksCancel] = new(TaskMethods.CancelTask.Handle),
        },
        new Dictionary<string, NotificationHandler>
        {
            [McpMethods.Initialized] = (session, _) => session.ClientSaidInitialized(),
            [McpMethods.Cancelled] = (session, note) => session.ClientCancelled(note.Params),
        });

    private static bool Resources(ServerCapabilities capabilities) => capabilities.Resources is not null;

    private static bool Prompts(ServerCapabilities capabilities) => capabilities.Prompts is not null;
}
