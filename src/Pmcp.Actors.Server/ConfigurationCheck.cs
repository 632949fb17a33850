using System.ComponentModel;
using System.Globalization;
using System.Net;
using System.Reflection;
using Pmcp.Actors.Cluster;
using Pmcp.Actors.Hosting;

namespace Pmcp.Actors.Server;

/// <summary>
/// Checks the standalone server's configuration (every source merged: appsettings.json, --config, environment, command
/// line) before anything is built from it. A value that cannot be used is bad input: the server prints one line naming
/// the key, the value and what is allowed, and exits with <see cref="ExitCode"/> (README, "Outcomes"). A key under
/// <c>Pmcp</c> that nothing reads is most likely misspelt: it gets a one-line warning and is otherwise ignored.
/// </summary>
internal static class ConfigurationCheck
{
    /// <summary>The exit code for a configuration that cannot be used, as the CLI uses 2 for usage errors.</summary>
    public const int ExitCode = 2;

    // The keys of Pmcp that are not sections of their own, and the sections that are checked member by member.
    private static readonly Dictionary<string, Type> TopLevel = new(StringComparer.OrdinalIgnoreCase)
    {
        ["Host"] = typeof(string),
        ["Port"] = typeof(int),
        ["Name"] = typeof(string),
        ["Version"] = typeof(string),
        ["Instructions"] = typeof(string),
        ["DemoTools"] = typeof(bool),
    };

    private static readonly string[] Sections = ["Server", "Cluster", "Tls", "Auth", "Telemetry", "Tasks"];

    private static readonly string[] TlsKeys = ["CertificatePath", "Password"];

    private static readonly string[] AuthKeys = ["Tokens"];

    /// <summary>The first error as one line (null when there is none); each unknown key is reported to <paramref name="warn"/>.</summary>
    public static string? Check(IConfiguration configuration, Action<string> warn)
    {
        var pmcp = configuration.GetSection("Pmcp");
        foreach (var child in pmcp.GetChildren())
        {
            if (!TopLevel.ContainsKey(child.Key) && !Sections.Contains(child.Key, StringComparer.OrdinalIgnoreCase))
                warn(Unknown(child.Path, [.. TopLevel.Keys, .. Sections]));
        }

        return CheckPort(pmcp)
            ?? CheckHost(pmcp)
            ?? CheckValue(pmcp.GetSection("DemoTools"), typeof(bool))
            ?? CheckMembers(pmcp.GetSection("Server"), typeof(McpServerOptions), warn)
            ?? CheckServerRules(pmcp.GetSection("Server"))
            ?? CheckCluster(pmcp.GetSection("Cluster"), warn)
            ?? CheckKeys(pmcp.GetSection("Tls"), TlsKeys, warn)
            ?? CheckCertificate(pmcp.GetSection("Tls:CertificatePath"))
            ?? CheckKeys(pmcp.GetSection("Auth"), AuthKeys, warn)
            ?? CheckMembers(pmcp.GetSection("Telemetry"), typeof(ServerTelemetryOptions), warn)
            ?? CheckMetricsPort(pmcp.GetSection("Telemetry:MetricsPort"))
            ?? CheckMembers(pmcp.GetSection("Tasks"), typeof(Tasks.McpTaskOptions), warn);
    }

    /// <summary>The line for a <c>--config</c> file that is missing; null when there is none to check or it exists.</summary>
    public static string? CheckConfigFile(string? path) => path is null || File.Exists(Path.GetFullPath(path))
        ? null
        : $"--config is '{path}', a file that does not exist; it must name a JSON settings file (as config/appsettings.json).";

    private static string? CheckPort(IConfigurationSection pmcp)
    {
        var port = pmcp.GetSection("Port");
        if (port.Value is null) return null;
        return int.TryParse(port.Value, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value <= 65535
            ? null
            : $"{port.Path} (--port) is '{port.Value}'; it must be a whole number from 0 to 65535 (0: any free port).";
    }

    private static string? CheckMetricsPort(IConfigurationSection port) =>
        port.Value is null || (int.TryParse(port.Value, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value <= 65535)
            ? null
            : $"{port.Path} is '{port.Value}'; it must be a whole number from 0 to 65535 (0: any free port).";

    private static string? CheckHost(IConfigurationSection pmcp)
    {
        var host = pmcp.GetSection("Host");
        if (host.Value is null || host.Value is "localhost" or "*" or "+" || IPAddress.TryParse(host.Value, out _)) return null;
        return $"{host.Path} (--host) is '{host.Value}'; it must be an IP address (such as 127.0.0.1 or ::1), localhost, or * for every address.";
    }

    /// <summary>Each member of a section that binds to <paramref name="type"/>: known, and convertible to its property's type.</summary>
    private static string? CheckMembers(IConfigurationSection section, Type type, Action<string> warn)
    {
        var properties = type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanWrite).ToArray();
        foreach (var child in section.GetChildren())
        {
            var property = properties.FirstOrDefault(p => string.Equals(p.Name, child.Key, StringComparison.OrdinalIgnoreCase));
            if (property is null)
            {
                warn(Unknown(child.Path, properties.Select(p => p.Name)));
                continue;
            }
            if (CheckValue(child, property.PropertyType) is { } error) return error;
        }
        return null;
    }

    /// <summary>One value: convertible to <paramref name="type"/> as the configuration binder converts it.</summary>
    private static string? CheckValue(IConfigurationSection value, Type type)
    {
        if (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(List<>)) return null; // lists: any items bind
        var nullable = Nullable.GetUnderlyingType(type);
        var target = nullable ?? type;
        if (value.Value is null)
        {
            // Absent, an empty array, or an object where one value belongs.
            return value.GetChildren().Any() ? $"{value.Path} is a section; it must be {Allowed(target)}." : null;
        }
        if (value.Value.Length == 0 && (nullable is not null || target == typeof(string))) return null;
        try
        {
            _ = TypeDescriptor.GetConverter(target).ConvertFromInvariantString(value.Value);
            return null;
        }
        catch (Exception ex) when (ex is FormatException or NotSupportedException or ArgumentException or OverflowException)
        {
            return $"{value.Path} is '{value.Value}'; it must be {Allowed(target)}.";
        }
    }

    private static string Allowed(Type type) => type switch
    {
        _ when type == typeof(int) => "a whole number",
        _ when type == typeof(double) => "a number",
        _ when type == typeof(bool) => "true or false",
        _ when type == typeof(TimeSpan) => "a time span such as 00:00:10 (hh:mm:ss, or d.hh:mm:ss)",
        _ when type.IsEnum => "one of " + string.Join(", ", Enum.GetNames(type).Select(n => n.ToLowerInvariant())),
        _ => "a single value",
    };

    /// <summary>The rules of <see cref="McpServerOptionsValidator"/>, on the options as they will be bound.</summary>
    private static string? CheckServerRules(IConfigurationSection section)
    {
        var options = section.Get<McpServerOptions>() ?? new McpServerOptions();
        return McpServerOptionsValidator.Failures(options).FirstOrDefault() is { } failure ? section.Path + ":" + failure : null;
    }

    private static string? CheckCluster(IConfigurationSection section, Action<string> warn)
    {
        if (CheckMembers(section, typeof(McpClusterOptions), warn) is { } error) return error;
        var cluster = new McpClusterOptions();
        section.Bind(cluster, o => o.ErrorOnUnknownConfiguration = false);
        if (section.GetSection("SeedNodes").Value is { } list)
            cluster.SeedNodes = [.. list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)];
        try
        {
            cluster.Validate();
            return null;
        }
        catch (ArgumentException ex)
        {
            return $"{section.Path}: {ex.Message}";
        }
    }

    private static string? CheckKeys(IConfigurationSection section, string[] known, Action<string> warn)
    {
        foreach (var child in section.GetChildren())
        {
            if (!known.Contains(child.Key, StringComparer.OrdinalIgnoreCase)) warn(Unknown(child.Path, known));
        }
        return null;
    }

    private static string? CheckCertificate(IConfigurationSection path) =>
        string.IsNullOrEmpty(path.Value) || File.Exists(Path.GetFullPath(path.Value))
            ? null
            : $"{path.Path} is '{path.Value}', a file that does not exist; it must name a PFX certificate file.";

    /// <summary>The warning for a key nothing reads, with the known key it is closest to when it looks like a misspelling.</summary>
    private static string Unknown(string path, IEnumerable<string> known)
    {
        var key = path[(path.LastIndexOf(':') + 1)..];
        var closest = known.Select(k => (Key: k, Distance: Distance(key.ToLowerInvariant(), k.ToLowerInvariant())))
            .OrderBy(c => c.Distance).FirstOrDefault();
        var hint = closest.Key is not null && closest.Distance <= Math.Max(2, key.Length / 4) ? $"; did you mean {closest.Key}?" : ".";
        return $"warning: unknown setting {path} is ignored{hint}";
    }

    /// <summary>Edit distance (insertions, deletions, substitutions) between two short keys.</summary>
    private static int Distance(string a, string b)
    {
        var previous = Enumerable.Range(0, b.Length + 1).ToArray();
        for (var i = 1; i <= a.Length; i++)
        {
            var current = new int[b.Length + 1];
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
            previous = current;
        }
        return previous[b.Length];
    }
}
