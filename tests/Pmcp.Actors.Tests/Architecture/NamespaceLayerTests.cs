using Pmcp.Actors.Tests.Support;
using Xunit;
using Pmcp.Actors.Hosting;

namespace Pmcp.Actors.Tests.Architecture;

/// <summary>
/// The namespaces of <c>src/</c> form layers: each may use the ones below it, never one above, so no two depend on
/// each other. A dependency is read from the source (<see cref="SourceDependencies"/>): the <c>using</c> lines and the
/// qualified names in code. A new namespace has to be given its place here; a dependency that points up fails with
/// the file that makes it.
/// </summary>
public sealed class NamespaceLayerTests
{
    /// <summary>The layers of <c>src/Pmcp.Actors</c>, bottom first (docs/architecture.md, "Namespaces").</summary>
    private static readonly string[] ServerLayers =
    [
        "Pmcp.Actors",              // McpServerOptions
        "Pmcp.Actors.Diagnostics",  // metrics, activities, telemetry names
        "Pmcp.Actors.Security",     // the caller's identity
        "Pmcp.Actors.Tools",        // what a tool author uses: definitions, context, attributes
        "Pmcp.Actors.Messages",     // what the actors tell each other, and the values inside (the tool catalog)
        "Pmcp.Actors.Cluster",      // how a node takes part in a cluster: its options, the messages between nodes, TLS
        "Pmcp.Actors.Calls",        // the call seam: ICallRunner, call rules, execution
        "Pmcp.Actors.Tasks",        // tool calls as durable tasks
        "Pmcp.Actors.Session",      // the session core (decides) and the transport seam it sees
        "Pmcp.Actors.Runtime",      // the actors that host sessions and calls
        "Pmcp.Actors.Transport",    // the Kestrel endpoint, the outlets, HTTP sessions forwarded between gateways
        "Pmcp.Actors.Hosting",      // DI and Akka.Hosting wiring, the wire serializer
    ];

    [Fact]
    public void ServerNamespaces_DependOnlyOnLayersBelowThem()
    {
        var graph = SourceDependencies.Read(RepoPaths.Combine("src", "Pmcp.Actors"), layerDepth: 3);

        var unplaced = graph.Namespaces.Where(n => Array.IndexOf(ServerLayers, n) < 0).ToList();
        Assert.True(unplaced.Count == 0,
            $"Namespaces with no place in {nameof(ServerLayers)}: {string.Join(", ", unplaced)}. Give each its layer (and say so in docs/architecture.md).");

        var upward = graph.Edges
            .Where(e => Array.IndexOf(ServerLayers, e.To) > Array.IndexOf(ServerLayers, e.From))
            .ToList();
        Assert.True(upward.Count == 0,
            "Dependencies that point up a layer (a cycle in the making):\n" + string.Join("\n", upward.Select(e => $"  {e.From} -> {e.To}: {string.Join(", ", e.Evidence.Take(5))}")));
    }

    [Theory]
    [InlineData("Pmcp.Protocol")]
    [InlineData("Pmcp.Client")]
    [InlineData("Pmcp.Cli")]
    [InlineData("Pmcp.Actors.TestKit")]
    [InlineData("Pmcp.Actors.Server")]
    public void OtherProjects_HaveNoNamespaceCycles(string project)
    {
        var graph = SourceDependencies.Read(RepoPaths.Combine("src", project), layerDepth: project.Split('.').Length + 1);

        var cycles = graph.Cycles();
        Assert.True(cycles.Count == 0,
            $"Namespaces of {project} that depend on each other: " + string.Join("; ", cycles.Select(c => string.Join(" <-> ", c))));
    }

    [Fact]
    public void TheReader_SeesAnUpwardDependency()
    {
        // The rule above is only as good as the reader: a known upward use, written the three ways code spells it,
        // is found.
        var dir = Directory.CreateTempSubdirectory("pmcp-layers-");
        try
        {
            File.WriteAllText(Path.Combine(dir.FullName, "Low.cs"), """
                using Pmcp.Actors.High;
                namespace Pmcp.Actors.Low;
                internal sealed class A { }
                """);
            File.WriteAllText(Path.Combine(dir.FullName, "Low2.cs"), """
                namespace Pmcp.Actors.Low;
                // Pmcp.Actors.Other.C in a comment is no dependency
                internal sealed class B { private readonly Pmcp.Actors.High.H _h = new(); private readonly Mid.M _m = new(); private const string S = "Pmcp.Actors.Other.C"; }
                """);
            File.WriteAllText(Path.Combine(dir.FullName, "High.cs"), """
                namespace Pmcp.Actors.High;
                internal sealed class H { }
                """);
            File.WriteAllText(Path.Combine(dir.FullName, "Mid.cs"), """
                namespace Pmcp.Actors.Mid;
                internal sealed class M { }
                """);
            File.WriteAllText(Path.Combine(dir.FullName, "Other.cs"), """
                namespace Pmcp.Actors.Other;
                internal sealed class C { }
                """);

            var graph = SourceDependencies.Read(dir.FullName, layerDepth: 3);

            Assert.Equal(
                ["Pmcp.Actors.Low -> Pmcp.Actors.High", "Pmcp.Actors.Low -> Pmcp.Actors.Mid"],
                graph.Edges.Select(e => $"{e.From} -> {e.To}").Order(StringComparer.Ordinal));
            Assert.Contains(graph.Edges.Single(e => e.To == "Pmcp.Actors.High").Evidence, e => e.StartsWith("Low2.cs:", StringComparison.Ordinal));
            Assert.Empty(graph.Cycles());

            File.WriteAllText(Path.Combine(dir.FullName, "High2.cs"), """
                using static Pmcp.Actors.Low.A;
                namespace Pmcp.Actors.High;
                internal sealed class H2 { }
                """);
            var cyclic = SourceDependencies.Read(dir.FullName, layerDepth: 3);
            Assert.Equal(["Pmcp.Actors.High", "Pmcp.Actors.Low"], Assert.Single(cyclic.Cycles()));
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }
}
