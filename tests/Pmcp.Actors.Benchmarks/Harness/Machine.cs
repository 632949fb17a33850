using System.Globalization;
using System.Runtime.InteropServices;

namespace Pmcp.Actors.Benchmarks.Harness;

/// <summary>What the figures were measured on.</summary>
internal static class Machine
{
    public static string Describe()
    {
        var cpu = ReadField("/proc/cpuinfo", "model name") ?? RuntimeInformation.ProcessArchitecture.ToString();
        var memKb = ReadField("/proc/meminfo", "MemTotal")?.Split(' ')[0];
        var mem = memKb is null ? "?" : (long.Parse(memKb, CultureInfo.InvariantCulture) / 1048576.0).ToString("0.0", CultureInfo.InvariantCulture) + " GiB";
        var openFiles = ReadLimit();
        return $"{cpu}, {Environment.ProcessorCount} cores, {mem} memory, {RuntimeInformation.OSDescription}, {RuntimeInformation.FrameworkDescription}" +
               (openFiles is null ? "" : $", open-file limit {openFiles}") + ", " + CacheAndGen0();
    }

    /// <summary>
    /// The largest CPU cache the OS reports, and any gen0 budget set in the environment. The GC sizes its gen0 budget
    /// from that cache; on a VM that reports none it falls back to a small budget and collects several times as often,
    /// which moves every allocating server's CPU per call (docs/performance.md), so a run says which case it measured.
    /// </summary>
    private static string CacheAndGen0()
    {
        const string caches = "/sys/devices/system/cpu/cpu0/cache";
        var largest = Directory.Exists(caches)
            ? Directory.GetDirectories(caches, "index*")
                .Select(d => (Level: ReadText(Path.Combine(d, "level")), Size: ReadText(Path.Combine(d, "size"))))
                .Where(c => c.Level is not null && c.Size is not null)
                .OrderByDescending(c => c.Level, StringComparer.Ordinal)
                .Select(c => $"L{c.Level} cache {c.Size}")
                .FirstOrDefault()
            : null;
        var gen0 = Environment.GetEnvironmentVariable("DOTNET_GCgen0size");
        return (largest ?? "no CPU cache size reported to the runtime") + (gen0 is null ? "" : $", DOTNET_GCgen0size={gen0} for every server");
    }

    private static string? ReadText(string file) => File.Exists(file) ? File.ReadAllText(file).Trim() : null;

    public static string Versions() =>
        $"Akka {Version(typeof(Akka.Actor.ActorSystem))}, ModelContextProtocol.AspNetCore {Version(typeof(ModelContextProtocol.AspNetCore.HttpServerTransportOptions))}, " +
        $"Newtonsoft.Json {Version(typeof(Newtonsoft.Json.JsonConvert))}";

    internal static string Version(Type type) =>
        type.Assembly.GetCustomAttributes(typeof(System.Reflection.AssemblyInformationalVersionAttribute), false)
            .OfType<System.Reflection.AssemblyInformationalVersionAttribute>().FirstOrDefault()?.InformationalVersion.Split('+')[0]
        ?? type.Assembly.GetName().Version?.ToString() ?? "?";

    private static string? ReadField(string file, string name)
    {
        if (!File.Exists(file)) return null;
        foreach (var line in File.ReadLines(file))
        {
            var colon = line.IndexOf(':');
            if (colon > 0 && line[..colon].Trim() == name) return line[(colon + 1)..].Trim();
        }
        return null;
    }

    private static string? ReadLimit()
    {
        if (!File.Exists("/proc/self/limits")) return null;
        var line = File.ReadLines("/proc/self/limits").FirstOrDefault(l => l.StartsWith("Max open files", StringComparison.Ordinal));
        return line?["Max open files".Length..].Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries)[0];
    }
}
