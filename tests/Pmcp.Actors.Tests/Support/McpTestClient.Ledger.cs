using System.Net.WebSockets;
using Xunit.Sdk;

namespace Pmcp.Actors.Tests.Support;

/// <summary>
/// The test client's ledger of the JSON-RPC invariant that each request id gets exactly one response: what was sent,
/// what was answered, and the violations, which fail the test at dispose (or at <see cref="AssertEachRequestAnsweredOnceAsync"/>).
/// </summary>
internal sealed partial class McpTestClient
{
    /// <summary>Invariant violations seen so far (an id answered twice, ...): empty while all is well.</summary>
    public IReadOnlyList<string> Violations
    {
        get
        {
            lock (_ledgerLock)
            {
                return _violations.ToArray();
            }
        }
    }

    /// <summary>
    /// Throws <see cref="XunitException"/> listing the invariant violations so far; with
    /// <see cref="RequireEveryRequestAnswered"/>, first waits for every request not cancelled to be answered while the
    /// socket stays open.
    /// </summary>
    public async Task AssertEachRequestAnsweredOnceAsync(TimeSpan? timeout = null)
    {
        if (RequireEveryRequestAnswered && !_closed.Task.IsCompleted)
        {
            await AwaitOutstandingAsync(timeout ?? Deadline.Default).ConfigureAwait(false);
        }

        ThrowIfViolated();
    }

    /// <summary>Requests sent and not answered yet, not counting those the test cancelled.</summary>
    public IReadOnlyList<string> Outstanding()
    {
        lock (_ledgerLock)
        {
            return _pending.Keys.Where(k => !_cancelled.Contains(k)).Order(StringComparer.Ordinal).ToArray();
        }
    }

    private async Task AwaitOutstandingAsync(TimeSpan timeout)
    {
        Task[] waiting;
        lock (_ledgerLock)
        {
            waiting = _pending.Where(p => !_cancelled.Contains(p.Key)).Select(p => (Task)p.Value.Task).ToArray();
        }

        try
        {
            await Task.WhenAll(waiting).WaitAsync(timeout).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is TimeoutException or WebSocketException)
        {
            // Reported below, unless the socket ended (then nothing more could come).
        }

        var unanswered = Outstanding();
        if (unanswered.Count > 0 && !_closed.Task.IsCompleted)
        {
            lock (_ledgerLock)
            {
                _violations.Add($"{unanswered.Count} request(s) not answered within {timeout.TotalSeconds:0.###} s on an open socket: ids {string.Join(", ", unanswered.Take(20))}");
            }
        }
    }

    private void ThrowIfViolated()
    {
        var violations = Violations;
        if (violations.Count > 0)
        {
            throw new XunitException(
                $"Each request id must get exactly one response; {violations.Count} violation(s):{Environment.NewLine}"
                + string.Join(Environment.NewLine, violations.Take(20)));
        }
    }

    /// <summary>Counts a response to <paramref name="key"/> and records a violation when it is one too many.</summary>
    private void Count(string key, WireMessage wire)
    {
        lock (_ledgerLock)
        {
            var answers = _answerCount[key] = _answerCount.GetValueOrDefault(key) + 1;
            var sent = _sentCount.GetValueOrDefault(key);
            if (sent > 0 && answers > sent)
            {
                _violations.Add($"id {key} answered {answers} times for {sent} request(s); the extra one: {Shorten(wire.Raw)}");
            }
            else if (sent == 0 && RequireEveryRequestAnswered)
            {
                _violations.Add($"a response to id {key}, which this client never sent: {Shorten(wire.Raw)}");
            }
        }
    }

    private static string Shorten(string text) => text.Length <= 300 ? text : text[..300] + $"... ({text.Length} chars)";
}
