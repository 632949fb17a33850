using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using Newtonsoft.Json;
using Newtonsoft.Json.Linq;
using Pmcp.Actors.Security;
using Pmcp.Protocol;

namespace Pmcp.Actors.Session.Era2026;

/// <summary>
/// What a 2026-07-28 <c>requestState</c> holds between rounds: which request it belongs to (method, tool or prompt name
/// or resource URI, a digest of the arguments), whose it is (a digest of the caller), when it expires, which inputs it
/// asked for, and the answers of earlier rounds (a handler runs from the start each round, and a retry carries only the
/// answers to the last round's questions).
/// </summary>
internal sealed record RequestStateContent(string Method, string Target, string Arguments, string Caller, long ExpiresAtMs,
    IReadOnlyList<string> Asked, JObject Answers);

/// <summary>
/// Seals a <see cref="RequestStateContent"/> into the opaque <c>requestState</c> string and opens it again: the
/// content as base64url JSON, a dot, and its HMAC-SHA256 under <see cref="RequestStateKey"/>. Signed, not encrypted:
/// a client can read what it carries, and cannot change it, forge it, or use another caller's.
/// </summary>
internal static class RequestStateSeal
{
    public static string Seal(byte[] key, RequestStateContent content)
    {
        var payload = new JObject
        {
            ["m"] = content.Method,
            ["t"] = content.Target,
            ["a"] = content.Arguments,
            ["c"] = content.Caller,
            ["e"] = content.ExpiresAtMs,
            ["k"] = new JArray(content.Asked),
            ["r"] = content.Answers,
        };
        var bytes = Encoding.UTF8.GetBytes(payload.ToString(Formatting.None));
        return Base64Url.EncodeToString(bytes) + "." + Base64Url.EncodeToString(HMACSHA256.HashData(key, bytes));
    }

    /// <summary>The content of <paramref name="state"/>, or null when it is not one this server signed with <paramref name="key"/> (changed, forged, or malformed).</summary>
    public static RequestStateContent? Open(byte[] key, string state)
    {
        var dot = state.IndexOf('.');
        if (dot <= 0 || dot != state.LastIndexOf('.')) return null;
        byte[] bytes, signature;
        try
        {
            bytes = Base64Url.DecodeFromChars(state.AsSpan(0, dot));
            signature = Base64Url.DecodeFromChars(state.AsSpan(dot + 1));
        }
        catch (FormatException)
        {
            return null;
        }
        if (!CryptographicOperations.FixedTimeEquals(signature, HMACSHA256.HashData(key, bytes))) return null;
        // Signed by this server, so well formed: what follows cannot fail on a state the server wrote.
        var payload = JObject.Parse(Encoding.UTF8.GetString(bytes));
        return new RequestStateContent((string)payload["m"]!, (string)payload["t"]!, (string)payload["a"]!, (string)payload["c"]!,
            (long)payload["e"]!, payload["k"]!.Values<string>().Select(k => k!).ToArray(), (JObject)payload["r"]!);
    }

    /// <summary>
    /// A digest naming the caller a state is bound to: the authentication type with the caller's name (its name claim,
    /// else <c>sub</c>, else all its claims); "anonymous" for an unauthenticated caller.
    /// </summary>
    public static string CallerDigest(CallerIdentity? caller)
    {
        if (caller is null) return "anonymous";
        var name = caller.Claims.FirstOrDefault(c => c.Type == caller.NameClaimType).Value
            ?? caller.Claims.FirstOrDefault(c => c.Type == "sub").Value
            ?? string.Join("\n", caller.Claims.Select(c => c.Type + "=" + c.Value).Order(StringComparer.Ordinal));
        return Digest(caller.AuthenticationType + "\n" + name);
    }

    /// <summary>A digest of a request's arguments that does not depend on the order of their members.</summary>
    public static string ArgumentsDigest(JToken? arguments) =>
        arguments is null || arguments.Type == JTokenType.Null ? "" : Digest(Canonical(arguments).ToString(Formatting.None));

    private static JToken Canonical(JToken token) => token switch
    {
        JObject obj => new JObject(obj.Properties().OrderBy(p => p.Name, StringComparer.Ordinal).Select(p => new JProperty(p.Name, Canonical(p.Value)))),
        JArray array => new JArray(array.Select(Canonical)),
        _ => token.DeepClone(),
    };

    private static string Digest(string text) => Base64Url.EncodeToString(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
}
