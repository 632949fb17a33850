namespace Pmcp.Actors.Tests.Support;

/// <summary>
/// Tests that open hundreds of clients at once against an in-process server run apart from every other test: they
/// share the test process's thread pool with it, so a parallel class's burst (starting ActorSystems, child servers)
/// could hold back their connects for tens of seconds on a loaded 2-core machine, which is not what they test.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class LoadCollection
{
    public const string Name = "many clients at once";
}
