using System.Security.Cryptography;
using System.Runtime.CompilerServices;

namespace Pmcp.Actors.Session.Era2026;

/// <summary>
/// The secret that signs 2026-07-28 <c>requestState</c> (<see cref="RequestStateSeal"/>): <see cref="McpServerOptions.RequestStateKey"/>
/// when configured (every gateway of a cluster must share it, as a retry may reach any of them); otherwise a key made on
/// first use and kept in <c>request-state.key</c> in <see cref="McpServerOptions.DataDirectory"/>, readable by the
/// server's user only, so a restarted server still accepts the states it issued. Loaded once per options object, on the
/// first request that needs it: a server nobody asks for input never touches the file.
/// </summary>
internal static class RequestStateKey
{
    public const string FileName = "request-state.key";

    /// <summary>The fewest bytes a configured key may have (HMAC-SHA256's own output size).</summary>
    public const int MinimumBytes = 32;

    private static readonly ConditionalWeakTable<McpServerOptions, byte[]> Loaded = new();

    public static byte[] For(McpServerOptions options) => Loaded.GetValue(options, Load);

    /// <summary>The folder of <see cref="McpServerOptions.DataDirectory"/> when none is configured: the user's local application data, under <c>pmcp</c>.</summary>
    public static string DefaultDataDirectory()
    {
        var local = Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData, Environment.SpecialFolderOption.DoNotVerify);
        return Path.Combine(string.IsNullOrEmpty(local) ? AppContext.BaseDirectory : local, "pmcp");
    }

    /// <summary>Why <paramref name="configured"/> cannot be a key (not base64, or shorter than <see cref="MinimumBytes"/>), or null.</summary>
    public static string? Problem(string configured)
    {
        var bytes = new byte[configured.Length];
        if (!Convert.TryFromBase64String(configured, bytes, out var length)) return "it must be base64";
        return length < MinimumBytes ? $"it must decode to at least {MinimumBytes} bytes (it has {length})" : null;
    }

    /// <summary>Where the key file of <paramref name="options"/> is (used when <see cref="McpServerOptions.RequestStateKey"/> is unset).</summary>
    public static string FilePath(McpServerOptions options) =>
        Path.Combine(string.IsNullOrEmpty(options.DataDirectory) ? DefaultDataDirectory() : options.DataDirectory, FileName);

    /// <summary>
    /// Why the key file the server would use cannot be, or null: checked when the server starts, so that a corrupt or
    /// unreadable file stops the start instead of failing the first request that needs it. A file that is not there yet
    /// is fine (it is made on first use).
    /// </summary>
    public static string? FileProblem(McpServerOptions options)
    {
        var path = FilePath(options);
        if (Directory.Exists(path)) return "it is a folder, not a file";
        if (!File.Exists(path)) return null;
        try
        {
            return Problem(File.ReadAllText(path).Trim());
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return $"it cannot be read ({ex.Message})";
        }
    }

    private static byte[] Load(McpServerOptions options)
    {
        if (!string.IsNullOrEmpty(options.RequestStateKey)) return Convert.FromBase64String(options.RequestStateKey);
        var path = FilePath(options);
        var folder = Path.GetDirectoryName(path)!;
        if (TryRead(path) is { } existing) return existing;

        if (OperatingSystem.IsWindows()) Directory.CreateDirectory(folder);
        else Directory.CreateDirectory(folder, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var key = RandomNumberGenerator.GetBytes(MinimumBytes);
        // Written aside, then renamed into place: a server sharing the folder never reads a half-written key.
        var written = path + "." + Guid.NewGuid().ToString("N") + ".tmp";
        var create = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows()) create.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        using (var file = new FileStream(written, create))
        using (var writer = new StreamWriter(file))
            writer.Write(Convert.ToBase64String(key));
        try
        {
            File.Move(written, path, overwrite: false);
            return key;
        }
        catch (IOException) when (File.Exists(path))
        {
            // Another server sharing the folder made one first: use theirs, so both accept the states either issues.
            File.Delete(written);
            return TryRead(path)!;
        }
    }

    private static byte[]? TryRead(string path)
    {
        if (!File.Exists(path)) return null;
        var text = File.ReadAllText(path).Trim();
        if (Problem(text) is { } problem) throw new InvalidOperationException($"The requestState key file {path} cannot be used: {problem}.");
        return Convert.FromBase64String(text);
    }
}
