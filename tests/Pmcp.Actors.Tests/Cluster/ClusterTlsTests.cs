using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Akka.Actor;
using Akka.Hosting;
using Akka.Remote;
using Pmcp.Actors.Cluster;
using Pmcp.Actors.Tests.Support;
using Pmcp.Actors.Tools;
using Pmcp.Protocol;
using Xunit.Abstractions;

namespace Pmcp.Actors.Tests.Cluster;

/// <summary>
/// TLS between nodes with a self-signed certificate made here: nodes that share it form a cluster and run calls across
/// it; a node with another certificate is refused at the handshake and never becomes a member.
/// </summary>
public sealed class ClusterTlsTests(ITestOutputHelper output) : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("pmcp-tls-").FullName;

    [Fact]
    public async Task NodesSharingTheCertificate_JoinOverTls_AndANodeWithAnotherOneCannot()
    {
        var cluster = SelfSignedPfx("cluster.pfx", "cluster-secret");
        var stranger = SelfSignedPfx("stranger.pfx", "stranger-secret");

        await using var gateway = await StartNodeAsync("gateway", McpNodeRole.Gateway, [], cluster, "cluster-secret");
        var seed = Akka.Cluster.Cluster.Get(gateway.ActorSystem).SelfAddress.ToString();
        await using var tools = await StartNodeAsync("tools", McpNodeRole.Tools, [seed], cluster, "cluster-secret");
        await ClusterNodes.Poll(() => Task.FromResult(UpMembers(gateway) == 2 && UpMembers(tools) == 2), "both TLS nodes to be up");

        // A call through the gateway runs on the tools node: every message between them went over TLS.
        await using (var client = await gateway.ConnectAsync())
        {
            var answer = await client.CallToolAsync("node", timeout: ClusterNodes.ClusterDeadline);
            Assert.Equal("tools", answer.ToolText());
        }

        // A node with a certificate of its own tries to join: the gateway refuses its handshake, again and again. The
        // refusal is heard on either side: the gateway's transport logs the rejected certificate (listened to before the
        // outsider starts, so the first refusal is not missed), the outsider publishes its failed association.
        var refused = new TaskCompletionSource<object>(TaskCreationOptions.RunContinuationsAsynchronously);
        Func<Akka.Event.Error, bool> handshakeFailed = e => $"{e.Message}".Contains("TLS handshake failed", StringComparison.Ordinal);
        var gatewayLatch = gateway.ActorSystem.ActorOf(Props.Create(() => new EventLatch<Akka.Event.Error>(refused, handshakeFailed)));
        gateway.ActorSystem.EventStream.Subscribe(gatewayLatch, typeof(Akka.Event.Error));
        await using var outsider = await StartNodeAsync("outsider", McpNodeRole.Tools, [seed], stranger, "stranger-secret");
        var outsiderLatch = outsider.ActorSystem.ActorOf(Props.Create(() => new EventLatch<AssociationErrorEvent>(refused, null)));
        outsider.ActorSystem.EventStream.Subscribe(outsiderLatch, typeof(AssociationErrorEvent));
        var error = await refused.Task.Within(ClusterNodes.ClusterDeadline, "the outsider's handshake with the gateway to be refused");
        output.WriteLine(error.ToString());

        Assert.Equal(2, UpMembers(gateway));
        Assert.DoesNotContain(Akka.Cluster.Cluster.Get(gateway.ActorSystem).State.Members, m => m.Address.Equals(Akka.Cluster.Cluster.Get(outsider.ActorSystem).SelfAddress));
        Assert.DoesNotContain(Akka.Cluster.Cluster.Get(outsider.ActorSystem).State.Members, m => m.Status == Akka.Cluster.MemberStatus.Up);
    }

    [Fact]
    public void UnusableCertificate_IsBadInput_NamingTheSetting()
    {
        var path = SelfSignedPfx("node.pfx", "right");
        var wrongPassword = Assert.Throws<ArgumentException>(() => new McpClusterOptions { TlsCertificatePath = path, TlsCertificatePassword = "wrong" }.Validate());
        Assert.Contains("TlsCertificatePassword", wrongPassword.Message, StringComparison.Ordinal);
        var missing = Assert.Throws<ArgumentException>(() => new McpClusterOptions { TlsCertificatePath = Path.Combine(_folder, "none.pfx") }.Validate());
        Assert.Contains("does not exist", missing.Message, StringComparison.Ordinal);
        var both = Assert.Throws<ArgumentException>(() => new McpClusterOptions { TlsCertificatePath = path, TlsCertificatePassword = "right", TlsCertificateThumbprint = "AB" }.Validate());
        Assert.Contains("both", both.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => new McpClusterOptions { TlsTrustedThumbprints = ["not-a-thumbprint"] }.Validate());
        new McpClusterOptions { TlsCertificatePath = path, TlsCertificatePassword = "right" }.Validate();
    }

    private static int UpMembers(TestServer node) =>
        Akka.Cluster.Cluster.Get(node.ActorSystem).State.Members.Count(m => m.Status == Akka.Cluster.MemberStatus.Up);

    private Task<TestServer> StartNodeAsync(string name, McpNodeRole role, List<string> seeds, string certificate, string password) => TestServer.StartAsync(
        mcp => mcp.Tool(new McpToolDefinition("node", McpToolDefinition.EmptyInputSchema(), (_, _) => Task.FromResult(CallToolResult.Text(name)))),
        output: output,
        cluster: new McpClusterOptions
        {
            Enabled = true,
            Role = role,
            Hostname = "127.0.0.1",
            SeedNodes = seeds,
            TlsCertificatePath = certificate,
            TlsCertificatePassword = password,
        },
        configureAkka: akka => akka.AddHocon("akka.cluster.run-coordinated-shutdown-when-down = off", HoconAddMode.Prepend));

    /// <summary>A self-signed certificate for client and server authentication, written as a password-protected PFX.</summary>
    private string SelfSignedPfx(string file, string password)
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=pmcp-cluster-test", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment, critical: true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1"), new Oid("1.3.6.1.5.5.7.3.2")], critical: false));
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
        var path = Path.Combine(_folder, file);
        File.WriteAllBytes(path, certificate.Export(X509ContentType.Pfx, password));
        return path;
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    /// <summary>Completes with the first event of its kind it hears of (that <paramref name="matches"/>, when given).</summary>
    private sealed class EventLatch<T> : ReceiveActor
        where T : notnull
    {
        public EventLatch(TaskCompletionSource<object> heard, Func<T, bool>? matches) =>
            Receive<T>(e => matches is null || matches(e), e => heard.TrySetResult(e));
    }
}
