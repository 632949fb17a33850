using System.Globalization;
using Microsoft.Extensions.Options;
using Pmcp.Protocol;

namespace Pmcp.Actors.Hosting;

/// <summary>
/// The rules for <see cref="McpServerOptions"/>, run by the options framework when the options are first read and, as
/// <c>AddMcpServer</c> registers it with <c>ValidateOnStart</c>, when the host starts: a bad value stops the start with an
/// <see cref="OptionsValidationException"/> instead of failing at the first connection. Each failure is one sentence
/// that names the option, the value it has and what is allowed (the standalone server prints it as its one error line).
/// </summary>
public sealed class McpServerOptionsValidator : IValidateOptions<McpServerOptions>
{
    public ValidateOptionsResult Validate(string? name, McpServerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = Failures(options).ToList();
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    /// <summary>The options' failures, one sentence each, in the order the options are declared.</summary>
    public static IEnumerable<string> Failures(McpServerOptions o)
    {
        if (o.Path is null || !o.Path.StartsWith('/'))
            yield return $"{nameof(o.Path)} is '{o.Path}'; it must be a path that starts with '/', such as /mcp.";
        if (Positive(o.ToolsPageSize, nameof(o.ToolsPageSize)) is { } pageSize) yield return pageSize;
        if (o.KeepAliveInterval < TimeSpan.Zero) yield return NotNegative(o.KeepAliveInterval, nameof(o.KeepAliveInterval), "0 turns keepalive off");
        if (o.KeepAliveTimeout < TimeSpan.Zero) yield return NotNegative(o.KeepAliveTimeout, nameof(o.KeepAliveTimeout), "0: pongs are not awaited");
        if (o.HandshakeTimeout <= TimeSpan.Zero) yield return PositiveTime(o.HandshakeTimeout, nameof(o.HandshakeTimeout));
        if (o.IdleTimeout is { } idle && idle <= TimeSpan.Zero)
            yield return $"{nameof(o.IdleTimeout)} is {idle}; it must be a positive time span such as 00:10:00, or null for no idle timeout.";
        if (o.SessionIdleTimeout <= TimeSpan.Zero) yield return PositiveTime(o.SessionIdleTimeout, nameof(o.SessionIdleTimeout));
        if (Positive(o.MaxMessageBytes, nameof(o.MaxMessageBytes)) is { } maxBytes) yield return maxBytes;
        if (Positive(o.MaxConnections, nameof(o.MaxConnections)) is { } maxConnections) yield return maxConnections;
        if (o.MaxConnectionsPerClient < 0) yield return $"{nameof(o.MaxConnectionsPerClient)} is {o.MaxConnectionsPerClient}; it must be a whole number of at least 0 (0: no limit).";
        if (Positive(o.MaxInFlightCallsPerConnection, nameof(o.MaxInFlightCallsPerConnection)) is { } inFlight) yield return inFlight;
        if (Positive(o.OutboundQueueCapacity, nameof(o.OutboundQueueCapacity)) is { } queue) yield return queue;
        if (o.MaxOutboundBytesPerConnection < 1) yield return $"{nameof(o.MaxOutboundBytesPerConnection)} is {o.MaxOutboundBytesPerConnection}; it must be a whole number of at least 1.";
        if (o.MaxOutboundBytesTotal < 1) yield return $"{nameof(o.MaxOutboundBytesTotal)} is {o.MaxOutboundBytesTotal}; it must be a whole number of at least 1.";
        if (o.ToolCallTimeout <= TimeSpan.Zero) yield return PositiveTime(o.ToolCallTimeout, nameof(o.ToolCallTimeout));
        if (o.ClientRequestTimeout <= TimeSpan.Zero) yield return PositiveTime(o.ClientRequestTimeout, nameof(o.ClientRequestTimeout));
        if (o.ProgressInterval < TimeSpan.Zero) yield return NotNegative(o.ProgressInterval, nameof(o.ProgressInterval), "0: every progress notification goes");
        if (LoggingLevels.Rank(o.DefaultLogLevel) < 0)
            yield return $"{nameof(o.DefaultLogLevel)} is '{o.DefaultLogLevel}'; it must be one of {string.Join(", ", LoggingLevels.All)}.";
        if (o.DrainTimeout < TimeSpan.Zero) yield return NotNegative(o.DrainTimeout, nameof(o.DrainTimeout), "0: calls are not waited for");
        if (o.CloseTimeout < TimeSpan.Zero) yield return NotNegative(o.CloseTimeout, nameof(o.CloseTimeout), "0: the socket is aborted at once");
        if (OriginFailure(o.AllowedOrigins) is { } origins) yield return origins;
        if (!string.IsNullOrEmpty(o.RequestStateKey) && Session.Era2026.RequestStateKey.Problem(o.RequestStateKey) is { } keyProblem)
            yield return $"{nameof(o.RequestStateKey)} cannot be used: {keyProblem} (make one with: openssl rand -base64 32).";
        if (o.ServeStatelessEra && string.IsNullOrEmpty(o.RequestStateKey) && Session.Era2026.RequestStateKey.FileProblem(o) is { } fileProblem)
        {
            yield return $"{nameof(o.DataDirectory)} holds the requestState key file {Session.Era2026.RequestStateKey.FilePath(o)}, which cannot be used: "
                + $"{fileProblem}; delete it (a new key is made on first use) or set {nameof(o.RequestStateKey)}.";
        }
        if (o.MaxMessagesPerSecond < 0 || !double.IsFinite(o.MaxMessagesPerSecond))
            yield return $"{nameof(o.MaxMessagesPerSecond)} is {o.MaxMessagesPerSecond.ToString(CultureInfo.InvariantCulture)}; it must be a number of at least 0 (0: no limit).";
        if (o.MessageBurst < 0) yield return $"{nameof(o.MessageBurst)} is {o.MessageBurst}; it must be a whole number of at least 0 (0: the rate rounded up).";
        if (Positive(o.RateLimitViolationsBeforeClose, nameof(o.RateLimitViolationsBeforeClose)) is { } violations) yield return violations;
        if (o.MaxUpgradesPerWindow < 0) yield return $"{nameof(o.MaxUpgradesPerWindow)} is {o.MaxUpgradesPerWindow}; it must be a whole number of at least 0 (0: no limit).";
        if (o.UpgradeRateLimitWindow <= TimeSpan.Zero) yield return PositiveTime(o.UpgradeRateLimitWindow, nameof(o.UpgradeRateLimitWindow));
        if (o.CacheTtl < TimeSpan.Zero || o.CacheTtl.TotalMilliseconds > long.MaxValue / 2)
            yield return NotNegative(o.CacheTtl, nameof(o.CacheTtl), "0: results say they are not to be cached");
    }

    private static string? Positive(int value, string name) =>
        value > 0 ? null : $"{name} is {value}; it must be a whole number of at least 1.";

    private static string PositiveTime(TimeSpan value, string name) =>
        $"{name} is {value}; it must be a positive time span such as 00:00:10 (hh:mm:ss).";

    private static string NotNegative(TimeSpan value, string name, string zero) =>
        $"{name} is {value}; it must be a time span of at least 00:00:00 ({zero}).";

    private static string? OriginFailure(List<string>? origins)
    {
        try
        {
            _ = new Transport.OriginPolicy(origins ?? []);
            return null;
        }
        catch (ArgumentException ex)
        {
            return $"{nameof(McpServerOptions.AllowedOrigins)}: {ex.Message}";
        }
    }
}
