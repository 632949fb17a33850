using Microsoft.Extensions.Logging;

namespace Pmcp.Actors.Tools;

/// <summary>A tool's logger: the server's log, plus <c>notifications/message</c> to the calling client.</summary>
internal sealed class ToolLogger(ILogger server, IClientSession client, string name) : ILogger
{
    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => server.BeginScope(state);

    public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        server.Log(logLevel, eventId, state, exception, formatter);
        var level = logLevel switch
        {
            LogLevel.Trace or LogLevel.Debug => "debug",
            LogLevel.Information => "info",
            LogLevel.Warning => "warning",
            LogLevel.Error => "error",
            LogLevel.Critical => "critical",
            _ => null,
        };
        if (level is null) return;
        var text = formatter(state, exception);
        client.Log(level, exception is null ? text : $"{text}: {exception.Message}", name);
    }
}
