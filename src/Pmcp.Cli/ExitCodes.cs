namespace Pmcp.Cli;

/// <summary>What <c>pmcp</c> exits with; scripts can tell the failures apart.</summary>
internal static class ExitCodes
{
    /// <summary>Done: the tools were listed, the call succeeded, the server answered the ping.</summary>
    public const int Ok = 0;

    /// <summary>The tool ran and reported a failure (<c>isError: true</c>).</summary>
    public const int ToolError = 1;

    /// <summary>The command line is wrong: unknown option, bad URL, <c>--args</c> not a JSON object (of strings, for prompts), bad header.</summary>
    public const int Usage = 2;

    /// <summary>The server could not be reached, refused the connection (upgrade or HTTP status), or the connection dropped.</summary>
    public const int Connection = 3;

    /// <summary>The server answered with a JSON-RPC error (e.g. unknown tool) or with something that is not valid MCP.</summary>
    public const int Protocol = 4;

    /// <summary>The server did not answer within <c>--timeout</c>.</summary>
    public const int Timeout = 5;

    /// <summary>Interrupted (Ctrl+C); a call in flight was cancelled on the server.</summary>
    public const int Interrupted = 130;
}
