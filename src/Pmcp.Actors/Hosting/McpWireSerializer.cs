using System.Collections.Frozen;
using System.Runtime.Serialization;
using System.Text;
using Akka.Actor;
using Akka.Serialization;
using Newtonsoft.Json;
using Pmcp.Actors.Cluster;
using Pmcp.Actors.Messages;
using Pmcp.Actors.Runtime;
using Pmcp.Actors.Transport.Forwarding;

namespace Pmcp.Actors.Hosting;

/// <summary>
/// The serializer of every <see cref="IMcpWireMessage"/>: UTF-8 JSON written by Newtonsoft with settings of our own (no
/// type names in the payload, unknown members refused), one short manifest per type, actor refs as their full
/// serialized paths. Messages only carry strings, numbers, records of those and actor refs, so nothing is lost on the way;
/// a type without a manifest here fails loudly instead of falling back to Akka's default JSON.
/// </summary>
internal sealed class McpWireSerializer : SerializerWithStringManifest
{
    /// <summary>The serializer id; ids up to 100 are Akka's own.</summary>
    public const int SerializerId = 1788;

    /// <summary>The binding name in <c>akka.actor.serializers</c>.</summary>
    public const string Name = "pmcp-wire";

    private static readonly FrozenDictionary<Type, string> Manifests = new Dictionary<Type, string>
    {
        [typeof(ToolRouterProtocol.CallTool)] = "CT",
        [typeof(ToolRouterProtocol.RunRequest)] = "RR",
        [typeof(ToolRouterProtocol.CancelCall)] = "CC",
        [typeof(ToolRouterProtocol.CallAnswered)] = "CA",
        [typeof(ToolRouterProtocol.ToolCallProgress)] = "TP",
        [typeof(ConnectionProtocol.ClientRequest)] = "QR",
        [typeof(ConnectionProtocol.ClientRequestCompleted)] = "QD",
        [typeof(ConnectionProtocol.ClientRequestFailed)] = "QF",
        [typeof(ConnectionProtocol.CancelClientRequest)] = "QC",
        [typeof(ConnectionProtocol.ClientInputRequired)] = "QI",
        [typeof(ConnectionProtocol.ClientLog)] = "CL",
        [typeof(McpServerProtocol.BroadcastResourceUpdated)] = "BU",
        [typeof(McpServerProtocol.BroadcastLog)] = "BL",
        [typeof(ClusterProtocol.RemoteCallTool)] = "XT",
        [typeof(ClusterProtocol.RemoteRunRequest)] = "XR",
        [typeof(ClusterProtocol.RemoteCancel)] = "XC",
        [typeof(ClusterProtocol.CallEnded)] = "XE",
        [typeof(ClusterProtocol.CallRefused)] = "XF",
        [typeof(ClusterProtocol.ClusterListChanged)] = "XL",
        // Streamable HTTP requests served by a gateway for another gateway's session (issue 28).
        [typeof(ForwardedSessionProtocol.OpenExchange)] = "HO",
        [typeof(ForwardedSessionProtocol.ExchangeRefused)] = "HR",
        [typeof(ForwardedSessionProtocol.ExchangeStatus)] = "HS",
        [typeof(ForwardedSessionProtocol.StreamOpened)] = "HG",
        [typeof(ForwardedSessionProtocol.Outbound)] = "HM",
        [typeof(ForwardedSessionProtocol.ExchangeEnded)] = "HE",
        [typeof(ForwardedSessionProtocol.Credit)] = "HC",
        // Tasks: each a sharded, persistent entity, reached from any node (issue 28).
        [typeof(Tasks.TaskProtocol.StartTask)] = "KS",
        [typeof(Tasks.TaskProtocol.GetTask)] = "KG",
        [typeof(Tasks.TaskProtocol.AwaitResult)] = "KR",
        [typeof(Tasks.TaskProtocol.CancelTask)] = "KC",
        [typeof(Tasks.TaskProtocol.UpdateTask)] = "KU",
        [typeof(Tasks.TaskProtocol.TaskAnswer)] = "KA",
        [typeof(Tasks.TaskProtocol.TaskCreated)] = "KE",
        [typeof(Tasks.TaskProtocol.TaskEnded)] = "KN",
        [typeof(Tasks.TaskProtocol.TaskRestarted)] = "KT",
        [typeof(Tasks.TaskProtocol.TaskStatusChanged)] = "KW",
        [typeof(Tasks.TaskProtocol.WatchTask)] = "KL",
        [typeof(Tasks.TaskProtocol.UnwatchTask)] = "KX",
        [typeof(Tasks.TaskProtocol.TaskListenNotice)] = "KO",
    }.ToFrozenDictionary();

    private static readonly FrozenDictionary<string, Type> Types = Manifests.ToFrozenDictionary(kv => kv.Value, kv => kv.Key);

    private readonly JsonSerializer _json;

    public McpWireSerializer(ExtendedActorSystem system) : base(system)
    {
        _json = JsonSerializer.Create(new JsonSerializerSettings
        {
            TypeNameHandling = TypeNameHandling.None,
            MissingMemberHandling = MissingMemberHandling.Error,
            DateParseHandling = DateParseHandling.None,
            NullValueHandling = NullValueHandling.Include,
            Converters = { new ActorRefConverter(system) },
        });
    }

    public override int Identifier => SerializerId;

    /// <summary>Every type this serializer writes (each is an <see cref="IMcpWireMessage"/>).</summary>
    public static IReadOnlyCollection<Type> BoundTypes => Manifests.Keys;

    public override string Manifest(object o) => Manifests.TryGetValue(o.GetType(), out var manifest)
        ? manifest
        : throw new ArgumentException($"{o.GetType()} has no manifest in {nameof(McpWireSerializer)}: add one before sending it across nodes.", nameof(o));

    public override byte[] ToBinary(object obj)
    {
        _ = Manifest(obj); // unknown types fail here, on the sending side
        using var buffer = new MemoryStream();
        using (var writer = new StreamWriter(buffer, new UTF8Encoding(false), 1024, leaveOpen: true))
        using (var json = new JsonTextWriter(writer))
        {
            _json.Serialize(json, obj);
        }
        return buffer.ToArray();
    }

    public override object FromBinary(byte[] bytes, string manifest)
    {
        if (!Types.TryGetValue(manifest, out var type))
            throw new SerializationException($"Unknown manifest '{manifest}' for {nameof(McpWireSerializer)}.");
        using var reader = new JsonTextReader(new StreamReader(new MemoryStream(bytes), Encoding.UTF8));
        return _json.Deserialize(reader, type) ?? throw new SerializationException($"Empty payload for manifest '{manifest}'.");
    }

    /// <summary>Actor refs as full paths (with the node's address and the actor's uid), resolved on the receiving node.</summary>
    private sealed class ActorRefConverter(ExtendedActorSystem system) : JsonConverter
    {
        public override bool CanConvert(Type objectType) => typeof(IActorRef).IsAssignableFrom(objectType);

        public override void WriteJson(JsonWriter writer, object? value, JsonSerializer serializer)
        {
            if (value is IActorRef actor) writer.WriteValue(Akka.Serialization.Serialization.SerializedActorPath(actor));
            else writer.WriteNull();
        }

        public override object? ReadJson(JsonReader reader, Type objectType, object? existingValue, JsonSerializer serializer) =>
            reader.Value is string path ? system.Provider.ResolveActorRef(path) : null;
    }
}
