using System.Security.Claims;
using Akka.Actor;
using Akka.Configuration;
using Akka.Serialization;
using Akka.TestKit.Xunit2;
using Pmcp.Actors.Messages;
using Pmcp.Actors.Runtime;
using Pmcp.Actors.Cluster;
using Pmcp.Actors.Security;
using Pmcp.Actors.Tools;
using Pmcp.Protocol;
using Pmcp.Actors.Transport.Forwarding;
using Pmcp.Actors.Hosting;
using static Pmcp.Actors.Messages.ToolRouterProtocol;

namespace Pmcp.Actors.Tests.Cluster;

/// <summary>Every message that may cross nodes goes through <see cref="McpWireSerializer"/> and comes back the same.</summary>
public sealed class McpWireSerializerSpecs() : TestKit(Config)
{
    // The bindings the cluster uses, with strict serialization: a type without a binding must fail, not fall back.
    private static readonly Config Config = ConfigurationFactory.ParseString($$"""
        akka.actor {
          serializers { {{McpWireSerializer.Name}} = "{{typeof(McpWireSerializer).AssemblyQualifiedName}}" }
          serialization-bindings { "{{typeof(IMcpWireMessage).AssemblyQualifiedName}}" = {{McpWireSerializer.Name}} }
          serialization-settings.allow-unregistered-types = false
        }
        """);

    private static readonly CallerIdentity Caller = new("Bearer", [new CallerClaim(ClaimTypes.Name, "ada"), new CallerClaim("scope", "tools:call files:read")]);
    private static readonly CallKey Key = new(7, 42);
    private const string Json = """{"text":"héllo \"quoted\" ✓","n":1.5e300,"big":12345678901234567890,"nested":{"a":[1,null,true]}}""";

    private IEnumerable<object> Samples()
    {
        var replyTo = CreateTestProbe().Ref;
        var call = new CallTool(Key, new RequestId("req-1"), "echo", Json, WantsProgress: true, Caller);
        var request = new RunRequest(Key, new RequestId(9), McpMethods.ResourcesRead, """{"uri":"demo://readme"}""", null);
        return
        [
            call,
            call with { Caller = null, RequestId = new RequestId(long.MaxValue) },
            request,
            new CancelCall(Key),
            new CallAnswered(42, Json),
            new CallAnswered(42, JsonRpcWriter.Error(new RequestId(42), JsonRpcErrorCodes.InternalError, "boom")),
            new ToolCallProgress(42, 0.5, null, null),
            new ToolCallProgress(42, 3, 10, "three of ten"),
            new ConnectionProtocol.ClientRequest("k", McpMethods.SamplingCreateMessage, Json),
            new ConnectionProtocol.ClientRequest("k", McpMethods.RootsList, null),
            new ConnectionProtocol.ClientRequest("k", McpMethods.SamplingCreateMessage, Json, new RequestId(7)),
            new ConnectionProtocol.ClientRequest("k", McpMethods.ElicitationCreate, Json, new RequestId("call-7")),
            new ConnectionProtocol.ClientRequest("k", McpMethods.ElicitationCreate, Json, new RequestId(7), "user_name"),
            new ConnectionProtocol.ClientInputRequired("k"),
            new ConnectionProtocol.ClientRequestCompleted("k", Json),
            new ConnectionProtocol.ClientRequestFailed("k", ClientRequestFailure.ErrorResponse, "refused", -32600),
            new ConnectionProtocol.ClientRequestFailed("k", ClientRequestFailure.Timeout, "late"),
            new ConnectionProtocol.CancelClientRequest("k"),
            new ConnectionProtocol.ClientLog("warning", "tool", Json),
            new ConnectionProtocol.ClientLog("info", "tool", Json, new RequestId(0)),
            new McpServerProtocol.BroadcastResourceUpdated("demo://squares/3"),
            new McpServerProtocol.BroadcastLog("info", null, "\"text\""),
            new ClusterProtocol.RemoteCallTool(call, replyTo),
            new ClusterProtocol.RemoteRunRequest(request, replyTo),
            new ClusterProtocol.RemoteCancel(Key),
            new Pmcp.Actors.Tasks.TaskProtocol.StartTask("t", "user:Bearer:ada", "2026-07-28", "echo", Json, 60_000, null), // a caller round-trips as in CallTool
            new Pmcp.Actors.Tasks.TaskProtocol.GetTask("t", "anonymous"),
            new Pmcp.Actors.Tasks.TaskProtocol.AwaitResult("t", "anonymous"),
            new Pmcp.Actors.Tasks.TaskProtocol.CancelTask("t", "anonymous"),
            new Pmcp.Actors.Tasks.TaskProtocol.UpdateTask("t", "anonymous", Json),
            new Pmcp.Actors.Tasks.TaskProtocol.TaskAnswer(Pmcp.Actors.Tasks.TaskProtocol.AnswerKind.State, Json),
            new Pmcp.Actors.Tasks.TaskProtocol.TaskAnswer(Pmcp.Actors.Tasks.TaskProtocol.AnswerKind.Unknown, null),
            new Pmcp.Actors.Tasks.TaskProtocol.TaskCreated("t", "anonymous", "2025-11-25", "echo", Json, 1000, "2026-12-06T00:00:00.000Z", null),
            new Pmcp.Actors.Tasks.TaskProtocol.TaskEnded("failed", null, Json, "boom", "2026-12-06T00:00:01.000Z"),
            new Pmcp.Actors.Tasks.TaskProtocol.TaskRestarted("2026-12-06T00:00:02.000Z"),
            new Pmcp.Actors.Tasks.TaskProtocol.StartTask("t", "session:s", "2025-11-25", "echo", Json, 1000, null, "{\"name\":{}}", replyTo),
            new Pmcp.Actors.Tasks.TaskProtocol.TaskStatusChanged(Json),
            new Pmcp.Actors.Tasks.TaskProtocol.WatchTask("t", "anonymous", replyTo, "sub-1"),
            new Pmcp.Actors.Tasks.TaskProtocol.UnwatchTask("t", "anonymous", replyTo, "sub-1"),
            new Pmcp.Actors.Tasks.TaskProtocol.TaskListenNotice("sub-1", Json),
            new ClusterProtocol.CallEnded(Key),
            new ClusterProtocol.CallRefused(Key),
            new ClusterProtocol.ClusterListChanged("tools"),
            new ForwardedSessionProtocol.OpenExchange("0a1b2c3d-" + new string('e', 32), ForwardedSessionProtocol.ForwardedMethod.Post, Json, null),
            new ForwardedSessionProtocol.OpenExchange("s", ForwardedSessionProtocol.ForwardedMethod.Get, null, null),
            new ForwardedSessionProtocol.ExchangeRefused(404, "Session not found."),
            new ForwardedSessionProtocol.ExchangeStatus(202),
            new ForwardedSessionProtocol.StreamOpened(),
            new ForwardedSessionProtocol.Outbound(Json, Final: true),
            new ForwardedSessionProtocol.ExchangeEnded(SessionEnded: false),
            new ForwardedSessionProtocol.Credit(16),
        ];
    }

    [Fact]
    public void EveryWireMessage_RoundTripsUnchanged_ThroughTheMcpSerializer()
    {
        foreach (var message in Samples())
        {
            var serializer = Sys.Serialization.FindSerializerFor(message);
            Assert.IsType<McpWireSerializer>(serializer);
            var manifest = Akka.Serialization.Serialization.ManifestFor(serializer, message);
            var bytes = serializer.ToBinary(message);
            var back = Sys.Serialization.Deserialize(bytes, serializer.Identifier, manifest);

            Assert.Equal(message.GetType(), back.GetType());
            // Records compare by value, except for the caller's claim list: the bytes of the copy must match too.
            Assert.Equal(bytes, serializer.ToBinary(back));
            if (message is not (CallTool { Caller: not null } or ClusterProtocol.RemoteCallTool)) Assert.Equal(message, back);
        }
    }

    [Fact]
    public void EveryTypeMarkedForTheWire_HasAManifest_AndASample()
    {
        var marked = typeof(IMcpWireMessage).Assembly.GetTypes().Where(t => t.IsClass && typeof(IMcpWireMessage).IsAssignableFrom(t)).ToHashSet();
        Assert.Equal(marked.OrderBy(t => t.FullName), McpWireSerializer.BoundTypes.OrderBy(t => t.FullName));
        Assert.Equal(marked.OrderBy(t => t.FullName), Samples().Select(s => s.GetType()).Distinct().OrderBy(t => t.FullName));
    }

    [Fact]
    public void RemoteCall_CarriesTheCallersIdentity_AndTheReplyToActor()
    {
        var probe = CreateTestProbe();
        var message = new ClusterProtocol.RemoteCallTool(new CallTool(Key, new RequestId("r"), "echo", Json, false, Caller), probe.Ref);
        var serializer = Sys.Serialization.FindSerializerFor(message);
        var back = (ClusterProtocol.RemoteCallTool)Sys.Serialization.Deserialize(serializer.ToBinary(message), serializer.Identifier, Akka.Serialization.Serialization.ManifestFor(serializer, message));

        Assert.Equal(Json, back.Call.ArgumentsJson);
        Assert.Equal(Caller.Claims, back.Call.Caller!.Claims);
        Assert.True(CallerIdentity.ToPrincipal(back.Call.Caller).Identity!.IsAuthenticated);
        back.ReplyTo.Tell("through the copy");
        probe.ExpectMsg("through the copy");
    }

    [Fact]
    public void AMessageWithoutABinding_FailsToSerialize_InsteadOfFallingBackToJson()
    {
        Assert.ThrowsAny<Exception>(() => Sys.Serialization.FindSerializerFor(new NotForTheWire("x")));
    }

    private sealed record NotForTheWire(string Text);
}
