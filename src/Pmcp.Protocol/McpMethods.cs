namespace Pmcp.Protocol;

/// <summary>Method names of the requests and notifications this project sends or answers.</summary>
public static class McpMethods
{
    public const string Initialize = "initialize";
    public const string Ping = "ping";
    public const string ToolsList = "tools/list";
    public const string ToolsCall = "tools/call";

    public const string Initialized = "notifications/initialized";
    public const string Cancelled = "notifications/cancelled";
    public const string Progress = "notifications/progress";
    public const string Message = "notifications/message";
    public const string ToolsListChanged = "notifications/tools/list_changed";
    public const string ResourcesListChanged = "notifications/resources/list_changed";
    public const string ResourcesUpdated = "notifications/resources/updated";
    public const string PromptsListChanged = "notifications/prompts/list_changed";
    public const string RootsListChanged = "notifications/roots/list_changed";

    public const string LoggingSetLevel = "logging/setLevel";
    public const string ResourcesList = "resources/list";
    public const string ResourcesTemplatesList = "resources/templates/list";
    public const string ResourcesRead = "resources/read";
    public const string ResourcesSubscribe = "resources/subscribe";
    public const string ResourcesUnsubscribe = "resources/unsubscribe";
    public const string PromptsList = "prompts/list";
    public const string PromptsGet = "prompts/get";
    public const string CompletionComplete = "completion/complete";

    // Tasks: 2025-11-25 (get, result, list, cancel) and the 2026-07-28 extension io.modelcontextprotocol/tasks (get, update, cancel).
    public const string TasksGet = "tasks/get";
    public const string TasksResult = "tasks/result";
    public const string TasksList = "tasks/list";
    public const string TasksCancel = "tasks/cancel";
    public const string TasksUpdate = "tasks/update";
    public const string TasksStatus = "notifications/tasks/status";

    // Requests a server sends to its client.
    public const string SamplingCreateMessage = "sampling/createMessage";
    public const string ElicitationCreate = "elicitation/create";
    public const string RootsList = "roots/list";
}
