using System.Diagnostics.Tracing;
using Microsoft.Diagnostics.NETCore.Client;
using Microsoft.Diagnostics.Tracing;
using Microsoft.Diagnostics.Tracing.Parsers;

namespace Pmcp.Actors.Benchmarks.Harness;

/// <summary>
/// An EventPipe session on a child process's runtime GC events (the diagnostics port every .NET process opens): the
/// caller subscribes its handlers to the parser, the events are read on a task of their own, and <see cref="StopAsync"/>
/// ends the session and waits for the last of them, after which the handlers' state may be read without a lock.
/// </summary>
internal sealed class GcEventSession
{
    private readonly EventPipeSession _session;
    private readonly Task _reading;

    private GcEventSession(EventPipeSession session, Action<ClrTraceEventParser> subscribe)
    {
        _session = session;
        var source = new EventPipeEventSource(session.EventStream);
        subscribe(source.Clr);
        _reading = Task.Run(source.Process);
    }

    /// <summary>Starts a session on <paramref name="pid"/> at <paramref name="level"/> (Verbose adds the allocation ticks).</summary>
    public static GcEventSession Start(int pid, EventLevel level, Action<ClrTraceEventParser> subscribe)
    {
        var provider = new EventPipeProvider("Microsoft-Windows-DotNETRuntime", level, (long)ClrTraceEventParser.Keywords.GC);
        return new GcEventSession(new DiagnosticsClient(pid).StartEventPipeSession([provider], requestRundown: false), subscribe);
    }

    public async Task StopAsync()
    {
        try
        {
            await _session.StopAsync(CancellationToken.None).ConfigureAwait(false);
            await _reading.ConfigureAwait(false);
        }
        finally
        {
            _session.Dispose();
        }
    }
}
