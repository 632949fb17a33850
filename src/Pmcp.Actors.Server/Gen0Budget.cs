using System.Runtime.InteropServices;
using System.Text;

namespace Pmcp.Actors.Server;

/// <summary>
/// Gives the garbage collector a gen0 budget on a Linux machine that hides its CPU cache from the runtime.
/// </summary>
/// <remarks>
/// The GC sizes its youngest generation from the CPU cache the OS reports. Some virtual machines report none
/// (<c>/sys/devices/system/cpu/cpu0/cache</c> is absent), and the GC then falls back to a budget of about 2 MiB: under
/// load the server collected 40 times a second, and every collection stops every thread (issue 29 measured 0.23
/// <c>sched_yield</c> and 0.64 context switches a call against the thin baseline's 0.08 and 0.42). The runtime takes
/// the budget only from its environment when it starts (<c>DOTNET_GCgen0size</c>; <c>runtimeconfig.json</c> is not
/// read for it), so on such a machine the server starts itself again in place before it does anything else: the same
/// process (id, standard streams, arguments) through <c>execve</c>, with the budget set. An operator who sets
/// <c>DOTNET_GCgen0size</c> (0: the runtime's own choice) is left alone, and so is every other platform.
/// </remarks>
internal static partial class Gen0Budget
{
    public const string Variable = "DOTNET_GCgen0size";

    /// <summary>16 MiB: most of what 32 MiB bought in calls/s and CPU per call (docs/performance.md), at half the memory.</summary>
    public const string Value = "0x1000000";

    private const string CacheFolder = "/sys/devices/system/cpu/cpu0/cache";

    /// <summary>Whether this process should start again with <see cref="Value"/>: the rule, apart from the machine it reads.</summary>
    public static bool ShouldRestart(bool isLinux, bool cacheReported, Func<string, string?> environment, bool debuggerAttached) =>
        isLinux && !cacheReported && !debuggerAttached
        && environment(Variable) is null
        && environment("COMPlus_GCgen0size") is null; // the older prefix the runtime still honours

    /// <summary>
    /// Starts this process again with the budget when <see cref="ShouldRestart"/> says so; returns only when it does not
    /// (or when the restart fails, which is logged to standard error and otherwise ignored: the server runs as it is).
    /// </summary>
    public static void RestartWithBudgetIfNeeded()
    {
        if (!ShouldRestart(OperatingSystem.IsLinux(), Directory.Exists(CacheFolder), Environment.GetEnvironmentVariable,
                System.Diagnostics.Debugger.IsAttached))
        {
            // The restarted runtime: the socket its predecessor set aside is of no use to anyone now.
            if (OperatingSystem.IsLinux() && Environment.GetEnvironmentVariable(Variable) == Value)
                DiagnosticsSockets.RemoveSetAside(Path.GetTempPath(), Environment.ProcessId);
            return;
        }

        string?[] arguments;
        try
        {
            arguments = [.. CommandLine(File.ReadAllBytes("/proc/self/cmdline")), null];
        }
        catch (IOException)
        {
            return;
        }
        catch (UnauthorizedAccessException)
        {
            return;
        }

        string?[] environment = [.. WithBudget(Environment.GetEnvironmentVariables()), null];
        var setAside = DiagnosticsSockets.SetAside(Path.GetTempPath(), Environment.ProcessId);
        // execve returns only when it failed: the server then keeps the runtime's budget, and its diagnostics socket.
        if (Execve("/proc/self/exe", arguments, environment) == -1)
        {
            var errno = Marshal.GetLastPInvokeError();
            DiagnosticsSockets.Restore(setAside);
            Console.Error.WriteLine($"pmcp: could not restart with {Variable}={Value} (errno {errno}); running with the runtime's gen0 budget");
        }
    }

    /// <summary>The arguments of <c>/proc/self/cmdline</c>: each ends with a NUL byte.</summary>
    internal static List<string> CommandLine(ReadOnlySpan<byte> cmdline)
    {
        var arguments = new List<string>();
        while (!cmdline.IsEmpty)
        {
            var end = cmdline.IndexOf((byte)0);
            if (end < 0) end = cmdline.Length;
            arguments.Add(Encoding.UTF8.GetString(cmdline[..end]));
            cmdline = end < cmdline.Length ? cmdline[(end + 1)..] : [];
        }
        return arguments;
    }

    /// <summary>The process's environment as <c>NAME=value</c> entries, with <see cref="Variable"/> added.</summary>
    internal static List<string> WithBudget(System.Collections.IDictionary environment)
    {
        var entries = new List<string>(environment.Count + 1);
        foreach (System.Collections.DictionaryEntry entry in environment) entries.Add($"{entry.Key}={entry.Value}");
        entries.Add($"{Variable}={Value}");
        return entries;
    }

    // Each argument and entry goes as a UTF-8 char*, the arrays as char** ending with the null element execve needs.
    [LibraryImport("libc", EntryPoint = "execve", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Execve(string path, string?[] argv, string?[] envp);
}
