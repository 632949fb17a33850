using Newtonsoft.Json.Linq;
using Pmcp.Client;
using Pmcp.Protocol;

namespace Pmcp.Actors.TestKit;

/// <summary>Stand-ins for the model and the user a real client would ask, and a record of what the server logged.</summary>
public static class McpClientTestExtensions
{
    /// <summary>Answers every <c>sampling/createMessage</c> with <paramref name="text"/> from model <paramref name="model"/>; the requests are kept in the returned list.</summary>
    public static IReadOnlyList<CreateMessageParams> AnswerSamplingWith(this McpClient client, string text, string model = "test-model")
    {
        ArgumentNullException.ThrowIfNull(client);
        var asked = new SynchronizedList<CreateMessageParams>();
        client.SetSamplingHandler((request, _) =>
        {
            asked.Add(request);
            return Task.FromResult(new CreateMessageResult("assistant", new TextContent(text), model) { StopReason = "endTurn" });
        });
        return asked;
    }

    /// <summary>Accepts every form-mode <c>elicitation/create</c> with <paramref name="content"/>; the requests are kept in the returned list.</summary>
    public static IReadOnlyList<ElicitParams> AnswerElicitationWith(this McpClient client, JObject content)
    {
        ArgumentNullException.ThrowIfNull(client);
        var asked = new SynchronizedList<ElicitParams>();
        client.SetElicitationHandler((request, _) =>
        {
            asked.Add(request);
            return Task.FromResult(new ElicitResult("accept") { Content = (JObject)content.DeepClone() });
        });
        return asked;
    }

    /// <summary>Declines every <c>elicitation/create</c>, as a user who says no.</summary>
    public static void DeclineElicitation(this McpClient client)
    {
        ArgumentNullException.ThrowIfNull(client);
        client.SetElicitationHandler((_, _) => Task.FromResult(new ElicitResult("decline")));
    }

    /// <summary>Records every <c>notifications/message</c> the server sends this client from now on.</summary>
    public static IReadOnlyList<LoggingMessageParams> RecordLogs(this McpClient client)
    {
        ArgumentNullException.ThrowIfNull(client);
        var logs = new SynchronizedList<LoggingMessageParams>();
        client.OnLogMessage(logs.Add);
        return logs;
    }
}
