using System.Net.Sockets;
using System.Threading.Tasks.Sources;

namespace EdgeGateway.Modbus.Transports;

/// <summary>
/// Waits for a socket to become readable or writable on a thread of its own, for a caller that must not
/// block: a slave slower than the synchronous wait, a connect still in progress.
/// <para>
/// Why not the runtime's asynchronous socket calls: the first one registers the socket with the runtime's
/// epoll thread for the rest of the socket's life, and from then on every packet that arrives wakes that
/// thread, even when the answer is taken synchronously: one more context switch per transaction on the
/// caller's CPU. Here the socket stays out of epoll; the thread starts on the first slow
/// wait, sleeps between waits, and costs nothing while answers come within the synchronous wait.
/// </para>
/// <para>
/// A wait polls in slices of <see cref="Slice"/> so that cancellation (the request's timeout, the caller's
/// token) is seen within one slice; readiness itself ends a slice at once. One wait at a time, like the
/// transport that owns it.
/// </para>
/// </summary>
internal sealed class SocketWaiter : IValueTaskSource, IThreadPoolWorkItem, IDisposable
{
    /// <summary>Longest delay between a cancellation and the wait noticing it.</summary>
    public static readonly TimeSpan Slice = TimeSpan.FromMilliseconds(5);

    // A small stack: the thread only polls and completes the waiter.
    private const int StackSize = 256 * 1024;

    private readonly SemaphoreSlim _start = new(0, 1);
    private readonly string _name;
    private ManualResetValueTaskSourceCore<bool> _core;
    private Exception? _failure;
    private Thread? _thread;
    private Socket? _socket;
    private SelectMode _mode;
    private CancellationToken _token;
    private volatile bool _disposed;

    public SocketWaiter(string name) => _name = name;

    /// <summary>Completes when <paramref name="socket"/> is ready for <paramref name="mode"/>; throws
    /// <see cref="OperationCanceledException"/> once <paramref name="cancellationToken"/> is cancelled, and the
    /// socket's own exceptions (disposed, failed).</summary>
    public ValueTask WaitAsync(Socket socket, SelectMode mode, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        _core.Reset();
        (_socket, _mode, _token) = (socket, mode, cancellationToken);
        if (_thread is null)
        {
            _thread = new Thread(Run, StackSize) { IsBackground = true, Name = $"modbus {_name}" };
            _thread.Start();
        }

        _start.Release();
        return new ValueTask(this, _core.Version);
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        // The semaphore is left to the GC: it holds no handle (its wait handle is never asked for), and the
        // thread may still be taking its last signal.
        _disposed = true;
        if (_thread is null)
        {
            return;
        }

        // Wakes the idle thread so that it sees _disposed and ends; a thread in a wait ends after it.
        try
        {
            _start.Release();
        }
        catch (SemaphoreFullException)
        {
            // Already signalled: the thread will see _disposed when it takes the signal.
        }
    }

    void IValueTaskSource.GetResult(short token) => _core.GetResult(token);

    ValueTaskSourceStatus IValueTaskSource.GetStatus(short token) => _core.GetStatus(token);

    void IValueTaskSource.OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _core.OnCompleted(continuation, state, token, flags);

    void IThreadPoolWorkItem.Execute()
    {
        if (_failure is { } failure)
        {
            _core.SetException(failure);
        }
        else
        {
            _core.SetResult(true);
        }
    }

    private void Run()
    {
        var slice = (int)Slice.TotalMicroseconds;
        while (true)
        {
            _start.Wait();
            var socket = _socket;
            _socket = null;
            if (socket is null)
            {
                // Woken by Dispose, not by a wait.
                return;
            }

            try
            {
                while (!socket.Poll(slice, _mode))
                {
                    _token.ThrowIfCancellationRequested();
                }

                _failure = null;
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                _failure = e;
            }

            // The caller goes on on the thread pool, never on this thread (it may take long, and this stack is
            // small). Queued as this object itself, so a slow wait allocates nothing either.
            ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: false);

            if (_disposed)
            {
                return;
            }
        }
    }
}
