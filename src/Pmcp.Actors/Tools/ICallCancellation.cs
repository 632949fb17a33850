namespace Pmcp.Actors.Tools;

/// <summary>What a <see cref="ToolContext"/> reads its call's token from (the call, which makes the token's source on first use).</summary>
internal interface ICallCancellation
{
    CancellationToken Token { get; }
}
