namespace CertCredentials.Testing.Hosting;

/// <summary>The last <c>capacity</c> items added, oldest first. Thread-safe.</summary>
internal sealed class BoundedLog<T>
{
    private readonly Lock _lock = new();
    private readonly Queue<T> _items = new();
    private readonly int _capacity;

    public BoundedLog(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 0);
        _capacity = capacity;
    }

    public void Add(T item)
    {
        lock (_lock)
        {
            if (_capacity == 0)
            {
                return;
            }

            if (_items.Count == _capacity)
            {
                _items.Dequeue();
            }

            _items.Enqueue(item);
        }
    }

    public IReadOnlyList<T> Snapshot()
    {
        lock (_lock)
        {
            return [.. _items];
        }
    }

    public void Clear()
    {
        lock (_lock)
        {
            _items.Clear();
        }
    }
}
