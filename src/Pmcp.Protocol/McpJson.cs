using Newtonsoft.Json;
using Newtonsoft.Json.Linq;
using Newtonsoft.Json.Serialization;

namespace Pmcp.Protocol;

/// <summary>The one set of JSON settings for the wire: camelCase members, nulls left out, no date guessing.</summary>
public static class McpJson
{
    /// <summary>Deeper documents than this are refused as parse errors (-32700).</summary>
    public const int MaxDepth = 64;

    public static JsonSerializerSettings Settings { get; } = new()
    {
        ContractResolver = new DefaultContractResolver
        {
            NamingStrategy = new CamelCaseNamingStrategy { ProcessDictionaryKeys = false, OverrideSpecifiedNames = false },
        },
        NullValueHandling = NullValueHandling.Ignore,
        DateParseHandling = DateParseHandling.None,
        MaxDepth = MaxDepth,
    };

    public static JsonSerializer Serializer { get; } = JsonSerializer.Create(Settings);

    public static string Serialize(object value) => JsonConvert.SerializeObject(value, Formatting.None, Settings);

    public static JToken ToToken(object value) => JToken.FromObject(value, Serializer);

    public static T ToObject<T>(JToken token) => token.ToObject<T>(Serializer)
        ?? throw new JsonSerializationException($"Expected {typeof(T).Name}, found null.");

    /// <summary>
    /// Writes a parsed token back as compact text that <see cref="Parse"/> reads as the same token. Unlike
    /// <c>ToString()</c>, a number too large for a double (<c>1e400</c>, read as infinity) stays a number
    /// (<c>Infinity</c>) instead of becoming the string <c>"Infinity"</c>.
    /// </summary>
    public static string ToText(JToken token)
    {
        using var text = new StringWriter(System.Globalization.CultureInfo.InvariantCulture);
        using (var writer = new JsonTextWriter(text) { Formatting = Formatting.None, FloatFormatHandling = FloatFormatHandling.Symbol })
        {
            token.WriteTo(writer);
        }

        return text.ToString();
    }

    /// <summary>
    /// Parses one complete JSON text. Dates stay strings, documents deeper than <see cref="MaxDepth"/> and trailing
    /// content are refused with <see cref="JsonReaderException"/>.
    /// </summary>
    public static JToken Parse(string json)
    {
        using var reader = new JsonTextReader(new StringReader(json))
        {
            DateParseHandling = DateParseHandling.None,
            FloatParseHandling = FloatParseHandling.Double,
            MaxDepth = MaxDepth,
        };
        var token = JToken.ReadFrom(reader);
        while (reader.Read())
        {
            if (reader.TokenType != JsonToken.Comment)
                throw new JsonReaderException("Additional text found after the JSON value.");
        }
        return token;
    }
}
