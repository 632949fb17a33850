namespace Pmcp.Actors.Messages;

/// <summary>
/// A message that may cross nodes. Every type marked with it is bound to the wire serializer (<c>Hosting.McpWireSerializer</c>) and has its own
/// manifest there; JSON-RPC payloads inside travel as raw JSON strings, never as JToken or exceptions.
/// </summary>
internal interface IMcpWireMessage;
