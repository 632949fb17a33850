using Newtonsoft.Json;
using Newtonsoft.Json.Linq;
using Pmcp.Protocol;

namespace Pmcp.Actors.Session;

/// <summary>
/// JSON-RPC batches (2025-03-26 sessions only): every element is handled as if it came alone (read by the same rules,
/// a member given twice refused; its calls held back at the in-flight limit like any others), and the responses go back
/// as one array once the last is ready. Notifications get none; an array of notifications gets no answer at all.
/// </summary>
internal sealed class SessionBatches(McpSession session)
{
    // Made with the first batch: only 2025-03-26 sessions send any.
    private Dictionary<RequestId, Batch>? _batchOf;

    /// <summary>Forgets every batch, as in a new session (<see cref="McpSession.Renew"/>).</summary>
    public void Clear() => _batchOf = null;

    private sealed class Batch
    {
        public List<string> Responses { get; } = [];

        public int Pending { get; set; }

        public string ToJson() => "[" + string.Join(",", Responses) + "]";
    }

    public void Handle(string text)
    {
        List<Element> elements;
        try
        {
            elements = Read(text);
        }
        catch (JsonReaderException ex)
        {
            session.Send(JsonRpcWriter.Error(null, JsonRpcErrorCodes.ParseError, "Parse error: " + ex.Message));
            return;
        }

        if (elements.Count == 0)
        {
            session.Send(JsonRpcWriter.Error(null, JsonRpcErrorCodes.InvalidRequest, "Invalid request: an empty batch."));
            return;
        }

        var batch = new Batch();
        var messages = new List<JsonRpcMessage>();
        foreach (var (msg, error, errorId) in elements)
        {
            if (msg is null)
            {
                batch.Responses.Add(JsonRpcWriter.Error(errorId, error!));
                continue;
            }
            if (msg.Kind == JsonRpcMessageKind.Request)
            {
                var id = msg.Id!.Value;
                if (msg.Method == McpMethods.Initialize || !(_batchOf ??= []).TryAdd(id, batch))
                {
                    var why = msg.Method == McpMethods.Initialize ? "initialize must not be part of a batch." : $"request id {id} is used twice.";
                    batch.Responses.Add(JsonRpcWriter.Error(id, JsonRpcErrorCodes.InvalidRequest, "Invalid request: " + why));
                    continue;
                }
                batch.Pending++;
            }
            messages.Add(msg);
        }

        // Counted first, dispatched second: a request answered at once must not complete the batch early.
        batch.Pending++;
        foreach (var msg in messages) session.Dispatch(msg);
        Settle(batch);
    }

    private readonly record struct Element(JsonRpcMessage? Message, JsonRpcError? Error, RequestId? ErrorId);

    /// <summary>
    /// The batch's elements, each read from its own text as a message that came alone is, so that a member given twice
    /// is refused (a parsed JSON object keeps only the last). Strict JSON is split with System.Text.Json; text only the
    /// lenient reader takes (comments, single quotes) is read whole by it, as before.
    /// </summary>
    private static List<Element> Read(string text)
    {
        var elements = new List<Element>();
        try
        {
            using var document = System.Text.Json.JsonDocument.Parse(text);
            foreach (var element in document.RootElement.EnumerateArray())
            {
                elements.Add(JsonRpcMessage.TryParse(element.GetRawText(), out var msg, out var error, out var errorId)
                    ? new Element(msg, null, null)
                    : new Element(null, error, errorId));
            }
            return elements;
        }
        catch (System.Text.Json.JsonException)
        {
            elements.Clear();
        }

        foreach (var token in (JArray)McpJson.Parse(text))
        {
            elements.Add(JsonRpcMessage.TryFrom(token, out var msg, out var error, out var errorId)
                ? new Element(msg, null, null)
                : new Element(null, error, errorId));
        }
        return elements;
    }

    /// <summary>Holds the response to <paramref name="id"/> for its batch (sending the batch when it was the last); false when the request came alone.</summary>
    public bool TryAdd(RequestId id, string json)
    {
        if (_batchOf is null || !_batchOf.Remove(id, out var batch)) return false;
        batch.Responses.Add(json);
        Settle(batch);
        return true;
    }

    /// <summary>The client cancelled request <paramref name="id"/>: its batch no longer waits for it.</summary>
    public void Cancelled(RequestId id)
    {
        if (_batchOf is not null && _batchOf.Remove(id, out var batch)) Settle(batch);
    }

    private void Settle(Batch batch)
    {
        if (--batch.Pending == 0 && batch.Responses.Count > 0) session.Send(batch.ToJson());
    }
}
