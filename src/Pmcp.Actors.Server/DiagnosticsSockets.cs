namespace Pmcp.Actors.Server;

/// <summary>
/// The runtime's diagnostics socket (<c>dotnet-diagnostic-PID-KEY-socket</c> in the temp folder) across the gen0 restart
/// (<see cref="Gen0Budget"/>). The runtime after the restart has the same process id and start time, so it would find the
/// name taken and serve no diagnostics (dotnet-counters, dotnet-trace) at all. So the socket is renamed out of the way
/// before the execve and renamed back if the execve fails (a listening socket keeps working under a new name, so this
/// runtime stays attachable then); the restarted runtime removes the set-aside name, which nothing listens on any more.
/// </summary>
internal static class DiagnosticsSockets
{
    public const string SetAsideSuffix = ".before-gen0-restart";

    /// <summary>Renames process <paramref name="pid"/>'s diagnostics sockets in <paramref name="folder"/> aside; returns the (original, aside) pairs it renamed.</summary>
    public static List<(string Original, string Aside)> SetAside(string folder, int pid)
    {
        var renamed = new List<(string, string)>();
        foreach (var socket in Find(folder, $"dotnet-diagnostic-{pid}-*-socket"))
        {
            if (Try(() => File.Move(socket, socket + SetAsideSuffix, overwrite: true))) renamed.Add((socket, socket + SetAsideSuffix));
        }
        return renamed;
    }

    /// <summary>Gives the sockets <see cref="SetAside"/> renamed their names back.</summary>
    public static void Restore(List<(string Original, string Aside)> renamed)
    {
        foreach (var (original, aside) in renamed) Try(() => File.Move(aside, original, overwrite: false));
    }

    /// <summary>Removes what <see cref="SetAside"/> left of process <paramref name="pid"/> in <paramref name="folder"/>.</summary>
    public static void RemoveSetAside(string folder, int pid)
    {
        foreach (var aside in Find(folder, $"dotnet-diagnostic-{pid}-*-socket{SetAsideSuffix}")) Try(() => File.Delete(aside));
    }

    private static IEnumerable<string> Find(string folder, string pattern)
    {
        try
        {
            return [.. Directory.EnumerateFiles(folder, pattern)];
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return [];
        }
    }

    // Diagnostics are a convenience: a folder or file this process may not touch leaves them as they are.
    private static bool Try(Action change)
    {
        try
        {
            change();
            return true;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }
}
