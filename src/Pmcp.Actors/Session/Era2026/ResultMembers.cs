using System.Buffers;

namespace Pmcp.Actors.Session.Era2026;

/// <summary>
/// Adds members the 2026-07-28 era requires (<c>resultType</c>, caching hints) to the <c>result</c> object of a response
/// this server wrote, in the text, without parsing it into tokens and writing it again: done for every answered request,
/// the parse and the rewrite were the largest part of what a 2026 request cost its session beyond a 2025 call (issue 29).
/// The scan reads only the response's own structure (strings, nesting); a response it does not follow (no object
/// <c>result</c>, a member name with an escape in it, anything malformed) is left to the caller's token path, so the
/// answer never depends on which way it went.
/// </summary>
internal static class ResultMembers
{
    // A quote or a backslash: where a string or a name ends, or an escape in it. One set for every scan (a collection
    // literal at each call site made a char[] per call).
    private static readonly SearchValues<char> QuoteOrEscape = SearchValues.Create("\"\\");

    /// <summary>Where the <c>result</c> object's members are, and which of the era's members it has already.</summary>
    internal readonly record struct Shape(int Close, bool Empty, bool HasResultType, bool HasTtl, bool HasScope);

    /// <summary>
    /// <paramref name="response"/> with <c>"resultType":"complete"</c> (and, when <paramref name="cacheable"/>,
    /// <c>ttlMs</c> and <c>cacheScope</c>) appended to its result where the result lacks them; the text unchanged when
    /// it has them all, or when its result is not an object (an error response); null when the scan cannot say.
    /// </summary>
    public static string? Complete(string response, bool cacheable, long ttlMs, string scope)
    {
        switch (Find(response, out var shape))
        {
            case Found.NoObjectResult:
                return response;
            case Found.Unsure:
                return null;
        }
        var add = "";
        if (!shape.HasResultType) add = "\"resultType\":\"" + ModernProtocol.ResultComplete + "\"";
        if (cacheable && !shape.HasTtl) add = Join(add, "\"ttlMs\":" + ttlMs.ToString(System.Globalization.CultureInfo.InvariantCulture));
        if (cacheable && !shape.HasScope) add = Join(add, "\"cacheScope\":\"" + scope + "\"");
        if (add.Length == 0) return response;
        return string.Concat(response.AsSpan(0, shape.Close), shape.Empty ? "" : ",", add, response.AsSpan(shape.Close));

        static string Join(string a, string b) => a.Length == 0 ? b : a + "," + b;
    }

    internal enum Found { ObjectResult, NoObjectResult, Unsure }

    /// <summary>Scans a response object for its <c>result</c> member and, when that is an object, the members it holds.</summary>
    internal static Found Find(string json, out Shape shape)
    {
        shape = default;
        var i = SkipSpace(json, 0);
        if (i >= json.Length || json[i] != '{') return Found.Unsure;
        i++;
        var first = true;
        while (true)
        {
            i = SkipSpace(json, i);
            if (i >= json.Length) return Found.Unsure;
            if (json[i] == '}') return Found.NoObjectResult; // an error response, or a result that is not an object
            if (!first)
            {
                if (json[i] != ',') return Found.Unsure;
                i = SkipSpace(json, i + 1);
            }
            first = false;
            if (!ReadName(json, ref i, out var nameStart, out var nameLength)) return Found.Unsure;
            if (json[i] == '{' && json.AsSpan(nameStart, nameLength).SequenceEqual("result")) return ReadResult(json, i, out shape);
            if (!SkipValue(json, ref i)) return Found.Unsure;
        }
    }

    /// <summary>Reads the members of the result object that starts at <paramref name="open"/>.</summary>
    private static Found ReadResult(string json, int open, out Shape shape)
    {
        shape = default;
        var i = open + 1;
        bool empty = true, type = false, ttl = false, scope = false;
        while (true)
        {
            i = SkipSpace(json, i);
            if (i >= json.Length) return Found.Unsure;
            if (json[i] == '}')
            {
                shape = new Shape(i, empty, type, ttl, scope);
                return Found.ObjectResult;
            }
            if (!empty)
            {
                if (json[i] != ',') return Found.Unsure;
                i = SkipSpace(json, i + 1);
            }
            if (!ReadName(json, ref i, out var nameStart, out var nameLength)) return Found.Unsure;
            var name = json.AsSpan(nameStart, nameLength);
            type |= name.SequenceEqual("resultType");
            ttl |= name.SequenceEqual("ttlMs");
            scope |= name.SequenceEqual("cacheScope");
            empty = false;
            if (!SkipValue(json, ref i)) return Found.Unsure;
        }
    }

    /// <summary>Reads <c>"name"</c> and its colon; false for a name with an escape (its text is not its value) or anything unexpected.</summary>
    private static bool ReadName(string json, ref int i, out int start, out int length)
    {
        start = length = 0;
        if (i >= json.Length || json[i] != '"') return false;
        start = i + 1;
        var end = json.AsSpan(start).IndexOfAny(QuoteOrEscape);
        if (end < 0 || json[start + end] == '\\') return false;
        end += start;
        length = end - start;
        i = SkipSpace(json, end + 1);
        if (i >= json.Length || json[i] != ':') return false;
        i = SkipSpace(json, i + 1);
        return i < json.Length;
    }

    /// <summary>Moves past one value (a string, an object or array with everything in it, or a literal); false when the text ends first.</summary>
    private static bool SkipValue(string json, ref int i)
    {
        var depth = 0;
        while (i < json.Length)
        {
            var c = json[i];
            switch (c)
            {
                case '"':
                    if (!SkipString(json, ref i)) return false;
                    if (depth == 0) return true;
                    continue;
                case '{' or '[':
                    depth++;
                    break;
                case '}' or ']':
                    if (depth == 0) return true; // the end of the enclosing object: a literal ended here
                    if (--depth == 0)
                    {
                        i++;
                        return true;
                    }
                    break;
                case ',':
                    if (depth == 0) return true;
                    break;
            }
            i++;
        }
        return false;
    }

    /// <summary>Moves past a string that starts at <paramref name="i"/>, escapes included.</summary>
    private static bool SkipString(string json, ref int i)
    {
        var j = i + 1;
        while (j < json.Length)
        {
            var found = json.AsSpan(j).IndexOfAny(QuoteOrEscape);
            if (found < 0) return false;
            var end = j + found;
            if (json[end] == '\\')
            {
                j = end + 2;
                continue;
            }
            i = end + 1;
            return true;
        }
        return false;
    }

    private static int SkipSpace(string json, int i)
    {
        while (i < json.Length && json[i] is ' ' or '\t' or '\r' or '\n') i++;
        return i;
    }
}
