using System.Text;
using System.Text.Json;
using Newtonsoft.Json;
using Newtonsoft.Json.Linq;

namespace Pmcp.Actors.Session;

/// <summary>
/// Reading a client's capabilities object (initialize's <c>capabilities</c>, a 2026-07-28 request's
/// <c>_meta["io.modelcontextprotocol/clientCapabilities"]</c>) into flags. It is read from its UTF-8 with no tokens: a
/// 2026-07-28 request carries the object on every request, and as a JObject it was made only to test four members
/// (issue 29). A member given twice counts as given last, as in a loaded object.
/// </summary>
internal static partial class ClientCapabilityFlagsExtensions
{
    private const string TasksExtensionId = TaskMethods.SessionTasks.ExtensionId;

    /// <summary>The flags of a capabilities object given as UTF-8 JSON; anything but an object declares nothing.</summary>
    public static ClientCapabilityFlags Read(ReadOnlySpan<byte> utf8)
    {
        var reader = new Utf8JsonReader(utf8, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Skip, MaxDepth = Protocol.McpJson.MaxDepth });
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject) return ClientCapabilityFlags.None;
        var flags = ClientCapabilityFlags.None;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var member = Member(ref reader);
            reader.Read();
            var isObject = reader.TokenType == JsonTokenType.StartObject;
            switch (member)
            {
                case ClientCapabilityFlags.Sampling or ClientCapabilityFlags.Roots:
                    flags = isObject ? flags | member : flags & ~member;
                    break;
                case ClientCapabilityFlags.Elicitation:
                    flags &= ~(ClientCapabilityFlags.Elicitation | ClientCapabilityFlags.ElicitationForm | ClientCapabilityFlags.ElicitationUrl);
                    if (isObject) flags |= Elicitation(ref reader);
                    break;
                case ClientCapabilityFlags.TasksExtension:
                    flags &= ~ClientCapabilityFlags.TasksExtension;
                    if (isObject && DeclaresTasks(ref reader)) flags |= ClientCapabilityFlags.TasksExtension;
                    break;
            }
            if (reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray) reader.Skip();
        }
        return flags;
    }

    /// <summary>The flags of a capabilities object already made into tokens (initialize's params, a <c>_meta</c> read into tokens).</summary>
    public static ClientCapabilityFlags Read(JObject? capabilities)
    {
        if (capabilities is null) return ClientCapabilityFlags.None;
        try
        {
            return Read(Encoding.UTF8.GetBytes(capabilities.ToString(Formatting.None)));
        }
        catch (System.Text.Json.JsonException)
        {
            return ClientCapabilityFlags.None; // only Json.NET's own extensions (a constructor) are not JSON: they declare nothing
        }
    }

    /// <summary>Which capability the member name the reader is on declares (TasksExtension: <c>extensions</c>); None for any other.</summary>
    private static ClientCapabilityFlags Member(ref Utf8JsonReader reader) =>
        reader.ValueTextEquals("sampling"u8) ? ClientCapabilityFlags.Sampling
        : reader.ValueTextEquals("roots"u8) ? ClientCapabilityFlags.Roots
        : reader.ValueTextEquals("elicitation"u8) ? ClientCapabilityFlags.Elicitation
        : reader.ValueTextEquals("extensions"u8) ? ClientCapabilityFlags.TasksExtension
        : ClientCapabilityFlags.None;

    /// <summary>The elicitation object the reader is on, read to its end: an empty one means form mode (revisions before 2025-11-25 had no modes).</summary>
    private static ClientCapabilityFlags Elicitation(ref Utf8JsonReader reader)
    {
        bool any = false, form = false, url = false;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            any = true;
            var isForm = reader.ValueTextEquals("form"u8);
            var isUrl = !isForm && reader.ValueTextEquals("url"u8);
            reader.Read();
            var isObject = reader.TokenType == JsonTokenType.StartObject;
            if (isForm) form = isObject;
            if (isUrl) url = isObject;
            if (reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray) reader.Skip();
        }
        var flags = ClientCapabilityFlags.Elicitation;
        if (!any || form) flags |= ClientCapabilityFlags.ElicitationForm;
        if (url) flags |= ClientCapabilityFlags.ElicitationUrl;
        return flags;
    }

    /// <summary>Whether the extensions object the reader is on, read to its end, declares the tasks extension with an object.</summary>
    private static bool DeclaresTasks(ref Utf8JsonReader reader)
    {
        var declared = false;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var isTasks = reader.ValueTextEquals(TasksExtensionId);
            reader.Read();
            if (isTasks) declared = reader.TokenType == JsonTokenType.StartObject;
            if (reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray) reader.Skip();
        }
        return declared;
    }
}
