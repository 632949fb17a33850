namespace Pmcp.Actors.Tools;

/// <summary>
/// 2026-07-28: the handler asked its client something the request's retry has not answered yet. The handler stops here;
/// its request is answered with an <c>InputRequiredResult</c> that asks it, and the retry runs the handler again.
/// </summary>
internal sealed class InputRequiredException(string method, string inputKey)
    : Exception($"{method} (input key '{inputKey}') is asked of the client: the request ends with an InputRequiredResult and runs again on the client's retry.");
