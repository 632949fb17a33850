using Newtonsoft.Json.Linq;
using Pmcp.Actors.Calls;
using Pmcp.Actors.Security;
using Pmcp.Actors.Session;
using Pmcp.Actors.Transport;
using Pmcp.Actors.Tools;
using Pmcp.Protocol;
using static Pmcp.Actors.Messages.ToolRouterProtocol;

namespace Pmcp.Actors.Tests.Session;

/// <summary>A session's host that records every effect, so that a test can drive the session core with no ActorSystem and no transport.</summary>
internal sealed class FakeSessionHost : ISessionHost
{
    public sealed record Message(JObject Json, RequestId? Related, bool Final);

    public List<Message> Sent { get; } = [];

    public List<CloseReason> Closes { get; } = [];

    public List<ListItems> ListRequests { get; } = [];

    public List<(object Asker, object Answer)> AskerAnswers { get; } = [];

    public Dictionary<long, TimeSpan> Deadlines { get; } = [];

    public List<ValueTask<CallAnswered>> Awaited { get; } = [];

    public int Pauses { get; private set; }

    public int Resumes { get; private set; }

    public bool HandshakeIsDone { get; private set; }

    public bool Stopped { get; private set; }

    /// <summary>False: the transport refuses what is sent (it is closing).</summary>
    public bool Accepts { get; set; } = true;

    public DateTimeOffset Now { get; set; } = DateTimeOffset.UnixEpoch;

    public Akka.Actor.IActorRef? Inbox => null;

    /// <summary>The last message sent, parsed.</summary>
    public JObject Last => Sent[^1].Json;

    public bool Send(string json, RequestId? related = null, bool final = false)
    {
        if (!Accepts) return false;
        Sent.Add(new Message(JObject.Parse(json.StartsWith('[') ? "{\"batch\":" + json + "}" : json), related, final));
        return true;
    }

    public void Close(CloseReason reason) => Closes.Add(reason);

    public void PauseReading() => Pauses++;

    public void ResumeReading() => Resumes++;

    public void HandshakeDone() => HandshakeIsDone = true;

    public List<RequestId> CancelledRequests { get; } = [];

    public void RequestCancelled(RequestId id) => CancelledRequests.Add(id);

    public void Stop() => Stopped = true;

    public void RequestList(ListItems request) => ListRequests.Add(request);

    public void AwaitAnswer(ValueTask<CallAnswered> answer) => Awaited.Add(answer);

    public void ClientRequestDeadline(long id, TimeSpan? after)
    {
        if (after is { } timeout) Deadlines[id] = timeout;
        else Deadlines.Remove(id);
    }

    public void TellAsker(object asker, object answer) => AskerAnswers.Add((asker, answer));

    public void LogWarning(string message)
    {
    }

    public void LogDebug(string message)
    {
    }
}

/// <summary>A call runner that runs nothing: it records what the session starts and cancels, and the test answers.</summary>
internal sealed class RecordingCallRunner : ICallRunner
{
    public List<(CallKey Key, RequestId Id, string What)> Started { get; } = [];

    public List<CallKey> Cancelled { get; } = [];

    public CallStart StartTool(CallKey key, RequestId requestId, string name, ToolArguments? arguments, bool wantsProgress, CallerIdentity? caller, string? resultType)
    {
        Started.Add((key, requestId, name));
        return CallStart.Sent;
    }

    public CallStart StartRequest(CallKey key, RequestId requestId, string method, JObject? parameters, CallerIdentity? caller)
    {
        Started.Add((key, requestId, method));
        return CallStart.Sent;
    }

    public void Cancel(CallKey key, IRunningCall? running) => Cancelled.Add(key);
}
