using Pmcp.Actors.Tests.Support;
using Xunit.Abstractions;

namespace Pmcp.Actors.Tests.Loopback;

/// <summary>
/// An idle standalone server stays idle: Akka's scheduler ticks every 100 ms there (SchedulerTick.cs), not every 10 ms,
/// each tick being a timer that wakes a thread. With tasks on, the default, something is always scheduled (the one-node
/// cluster), so at Akka's 10 ms the runtime's timer thread woke about 350 times a second with no client at all.
/// </summary>
public sealed class ServerIdleTests(ITestOutputHelper output)
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task IdleServer_WithTasksOn_WakesItsTimerThreadOnlyAFewDozenTimesASecond()
    {
        var serverDll = ServerProcessTests.ServerProcess.StandaloneDll;
        using var server = new ServerProcessTests.ServerProcess(serverDll, ["--port", "0", "--Pmcp:Tasks:Enabled=true"]);
        try
        {
            await server.ListeningUrl.Within(StartTimeout, "the server's 'listening on' line");
            string? timerThread = null;
            await Deadline.UntilAsync(() => Task.FromResult((timerThread = TimerThread(server.Id)) is not null), () => "the runtime's timer thread");

            // Wake-ups counted over a window: a busy machine can only make a timer late, never make it fire more often.
            var before = VoluntarySwitches(timerThread!);
            var window = TimeSpan.FromSeconds(3);
            await Task.Delay(window);
            var perSecond = (VoluntarySwitches(timerThread!) - before) / window.TotalSeconds;

            output.WriteLine($"timer thread wake-ups: {perSecond:0.0}/s");
            Assert.True(perSecond < 120, $"the idle server's timer thread woke {perSecond:0.0} times a second (about 350 at Akka's 10 ms tick)");
        }
        finally
        {
            output.WriteLine(server.Output);
        }
    }

    private static string? TimerThread(int pid) =>
        Directory.EnumerateDirectories($"/proc/{pid}/task").FirstOrDefault(task => File.ReadAllText(Path.Combine(task, "comm")).Trim() == ".NET Timer");

    private static long VoluntarySwitches(string task) =>
        long.Parse(File.ReadAllLines(Path.Combine(task, "status")).First(line => line.StartsWith("voluntary_ctxt_switches:", StringComparison.Ordinal))
            .Split(':')[1].Trim(), System.Globalization.CultureInfo.InvariantCulture);
}
