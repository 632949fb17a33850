using Newtonsoft.Json;
using Newtonsoft.Json.Linq;

namespace Pmcp.Protocol;

/// <summary>The <c>error</c> member of a JSON-RPC error response.</summary>
public sealed record JsonRpcError(
    [property: JsonProperty("code")] int Code,
    [property: JsonProperty("message")] string Message,
    [property: JsonProperty("data", NullValueHandling = NullValueHandling.Ignore)] JToken? Data = null);
