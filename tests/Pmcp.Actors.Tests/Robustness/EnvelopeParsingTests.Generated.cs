using System.Globalization;
using Pmcp.Protocol;

namespace Pmcp.Actors.Tests.Robustness;

/// <summary>Generated envelopes, and copies of them broken by one character, against the object route.</summary>
public sealed partial class EnvelopeParsingTests
{
    /// <summary>
    /// Thousands of generated envelopes (numbers at the edges of Json.NET's types, escapes, repeated members, comments,
    /// nesting), each also with a character deleted, inserted or cut off, get the verdict of the object route. Seeded, so
    /// a failure names an input that fails again.
    /// </summary>
    [Fact]
    public void GeneratedMessages_AndBrokenCopies_GetTheVerdictOfTheObjectRoute()
    {
        var random = new Random(20261124);
        var readStrictly = 0;
        for (var i = 0; i < 3000; i++)
        {
            var text = GeneratedEnvelope(random);
            if (JsonRpcMessage.ReadsStrictly(text)) readStrictly++;
            AssertSameVerdict(text);
            AssertSameVerdict(Broken(text, random));
        }

        // Most generated texts are strict JSON, so the UTF-8 route is what these comparisons exercise.
        Assert.InRange(readStrictly, 1500, 3000);
    }

    private static string GeneratedEnvelope(Random random)
    {
        var members = new List<string>();
        if (random.Next(10) > 0) members.Add("\"jsonrpc\":" + (random.Next(8) > 0 ? "\"2.0\"" : Value(random, 1)));
        if (random.Next(5) > 0) members.Add("\"id\":" + (random.Next(3) > 0 ? random.Next(-5, 100000).ToString(CultureInfo.InvariantCulture) : Value(random, 1)));
        switch (random.Next(4))
        {
            case 0 or 1:
                members.Add("\"method\":" + (random.Next(6) > 0 ? Str(random.Next(2) == 0 ? "tools/call" : "ping") : Value(random, 1)));
                if (random.Next(4) > 0) members.Add("\"params\":" + (random.Next(5) > 0 ? ParamsObject(random) : Value(random, 2)));
                break;
            case 2:
                members.Add("\"result\":" + Value(random, 3));
                break;
            default:
                members.Add("\"error\":" + (random.Next(3) > 0 ? $"{{\"code\":{random.Next(-32700, 0)},\"message\":{Str("m")}}}" : Value(random, 2)));
                break;
        }
        if (random.Next(4) == 0) members.Add(Str(Name(random)) + ":" + Value(random, 3));
        if (random.Next(8) == 0) members.Add(members[random.Next(members.Count)]);
        members = members.OrderBy(_ => random.Next()).ToList();
        var separator = random.Next(6) == 0 ? " /* c */ , " : ",";
        return (random.Next(10) == 0 ? "// lead\n" : "") + "{" + string.Join(separator, members) + "}" + (random.Next(10) == 0 ? " " : "");
    }

    private static string ParamsObject(Random random)
    {
        var members = new List<string> { "\"name\":" + Str("echo"), "\"arguments\":" + ObjectValue(random, 3) };
        if (random.Next(4) == 0) members.Add("\"_meta\":{\"progressToken\":" + Value(random, 0) + "}");
        else if (random.Next(4) == 0) members.Add("\"_meta\":" + (random.Next(4) > 0 ? ObjectValue(random, 3) : Value(random, 2))); // kept as text, or tokens when escaped or not ASCII
        if (random.Next(3) == 0) members.Add(Str(Name(random)) + ":" + Value(random, 2));
        if (random.Next(6) == 0) members.Add("\"name\":" + Value(random, 1));
        return "{" + string.Join(",", members.OrderBy(_ => random.Next())) + "}";
    }

    private static string Value(Random random, int depth) => random.Next(depth > 0 ? 10 : 8) switch
    {
        0 => "null",
        1 => random.Next(2) == 0 ? "true" : "false",
        2 or 3 => Number(random),
        4 or 5 or 6 or 7 => Str(Content(random)),
        8 => ObjectValue(random, depth - 1),
        _ => "[" + string.Join(",", Enumerable.Range(0, random.Next(4)).Select(_ => Value(random, depth - 1))) + "]",
    };

    private static string ObjectValue(Random random, int depth) =>
        "{" + string.Join(",", Enumerable.Range(0, random.Next(4)).Select(_ => Str(Name(random)) + ":" + Value(random, Math.Max(0, depth - 1)))) + "}";

    private static string Number(Random random) => random.Next(12) switch
    {
        0 => "9223372036854775807",
        1 => "-9223372036854775808",
        2 => "9223372036854775808",
        3 => "123456789012345678901234567890",
        4 => "-0",
        5 => "-0.0",
        6 => "1e400",
        7 => "2.5E-3",
        8 => "1.7976931348623157e308",
        9 => (random.NextDouble() * 1000 - 500).ToString("R", CultureInfo.InvariantCulture),
        _ => random.Next(int.MinValue, int.MaxValue).ToString(CultureInfo.InvariantCulture),
    };

    private static string Name(Random random) => random.Next(5) switch
    {
        0 => "a",
        1 => "b",
        2 => "n\\u0061me",
        3 => "",
        _ => "key" + random.Next(3),
    };

    // Raw text for a string's content: escapes (valid and not), non-ASCII, and surrogates alone and in pairs.
    private static string Content(Random random) => random.Next(10) switch
    {
        0 => "a\\nb\\\"c\\\\ \\/",
        1 => "\\u00e9\\ud83d\\ude00",
        2 => "\\ud800",
        3 => "x\\udc00y",
        4 => "héllo 😀",
        5 => "2024-01-01T00:00:00Z",
        6 => "\\u0000",
        _ => "hello",
    };

    private static string Str(string content) => "\"" + content + "\"";

    private static string Broken(string text, Random random)
    {
        const string Characters = "{}[],:\"'\\/ 0e.-+nx*";
        var at = random.Next(text.Length);
        return random.Next(3) switch
        {
            0 => text.Remove(at, 1),
            1 => text.Insert(at, Characters[random.Next(Characters.Length)].ToString()),
            _ => text[..at],
        };
    }
}
