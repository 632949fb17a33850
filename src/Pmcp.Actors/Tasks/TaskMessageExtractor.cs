using Akka.Cluster.Sharding;
using static Pmcp.Actors.Tasks.TaskProtocol;

namespace Pmcp.Actors.Tasks;

/// <summary>Routes a task message to its task's entity (the task id) in one of a fixed number of shards.</summary>
internal sealed class TaskMessageExtractor() : HashCodeMessageExtractor(ShardCount)
{
    /// <summary>Ten shards per node of a large cluster is the usual advice; fixed, as it must be the same on every node.</summary>
    public const int ShardCount = 100;

    public override string? EntityId(object message) => (message as ITaskMessage)?.TaskId;
}
