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
               (openFiles is null ? "" : $", open-file limit {openFiles}");
    }

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
