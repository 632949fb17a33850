using System.Collections;

namespace Pmcp.Actors.TestKit;

/// <summary>A list that the client's receive loop adds to while the test reads it: reads see a snapshot.</summary>
internal sealed class SynchronizedList<T> : IReadOnlyList<T>
{
    private readonly List<T> _items = [];

    public int Count
    {
        get
        {
            lock (_items) return _items.Count;
        }
    }

    public T this[int index]
    {
        get
        {
            lock (_items) return _items[index];
        }
    }

    public void Add(T item)
    {
        lock (_items) _items.Add(item);
    }

    public IEnumerator<T> GetEnumerator()
    {
        List<T> snapshot;
        lock (_items) snapshot = [.. _items];
        return snapshot.GetEnumerator();
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
