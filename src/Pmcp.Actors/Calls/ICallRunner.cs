using Newtonsoft.Json.Linq;
using Pmcp.Actors.Security;
using Pmcp.Actors.Tools;
using Pmcp.Protocol;
using static Pmcp.Actors.Messages.ToolRouterProtocol;

namespace Pmcp.Actors.Calls;

/// <summary>
/// Where a session's calls run: the seam between deciding that a request runs user code and running it. A session
/// that hosts its node's tools runs them itself (<see cref="InProcessCallRunner"/>); everything else goes to the tool
/// router (<see cref="RouterCallRunner"/>), which runs it on a worker actor or, on a cluster gateway, on a tools node.
/// Whatever the runner, the call ends in one <see cref="CallAnswered"/> and the rules of <see cref="CallRules"/> apply.
/// A new execution policy is one more implementation.
/// </summary>
internal interface ICallRunner
{
    /// <summary>
    /// Starts a <c>tools/call</c>; <paramref name="arguments"/> is the request's own object (or null), handed over without a
    /// copy where the call runs here. <paramref name="resultType"/>: the <c>resultType</c> the session's era wants in the
    /// result, written with it where the call runs here (elsewhere, and for null, the session adds what its era needs).
    /// </summary>
    CallStart StartTool(CallKey key, RequestId requestId, string name, ToolArguments? arguments, bool wantsProgress, CallerIdentity? caller, string? resultType);

    /// <summary>Starts a <c>resources/read</c>, <c>prompts/get</c> or <c>completion/complete</c>.</summary>
    CallStart StartRequest(CallKey key, RequestId requestId, string method, JObject? parameters, CallerIdentity? caller);

    /// <summary>Cancels a call's token (<paramref name="running"/>: the running call <see cref="StartTool"/> or <see cref="StartRequest"/> gave back). No answer beyond the call's own.</summary>
    void Cancel(CallKey key, IRunningCall? running);
}

/// <summary>
/// What starting a call gave: either a <see cref="Refused"/> answer (the call never ran and is not in flight), or a call in
/// flight, which runs here (<see cref="Running"/>, its <see cref="Answer"/> often complete already) or elsewhere (both
/// null: its answer comes to the session as a message).
/// </summary>
internal readonly record struct CallStart(CallAnswered? Refused, IRunningCall? Running, ValueTask<CallAnswered>? Answer)
{
    public static CallStart Sent => default;

    public static CallStart Refuse(CallAnswered answer) => new(answer, null, null);
}

/// <summary>A call that runs in the session's own process, as the session sees it.</summary>
internal interface IRunningCall
{
    /// <summary>True once the code told its client anything: its answer must then come after those messages, through the host.</summary>
    bool HasTold { get; }

    /// <summary>Cancels the code's token; the call then answers "was cancelled".</summary>
    void Cancel();
}
