namespace HealthDataSpace.Tests.Common;

/// <summary>A write-only stream that cannot seek or tell its position or length, like a block-blob upload stream.</summary>
public sealed class ForwardOnlyStream(Stream inner) : Stream
{
    public bool Disposed { get; private set; }

    public long Written { get; private set; }

    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => !Disposed;

    public override long Length => throw new NotSupportedException("forward-only: no length");

    public override long Position
    {
        get => throw new NotSupportedException("forward-only: no position");
        set => throw new NotSupportedException("forward-only: no position");
    }

    public override void Flush() => inner.Flush();

    public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException("forward-only: no seeking");

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count)
    {
        ObjectDisposedException.ThrowIf(Disposed, this);
        inner.Write(buffer, offset, count);
        Written += count;
    }

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(Disposed, this);
        await inner.WriteAsync(buffer, cancellationToken);
        Written += buffer.Length;
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    protected override void Dispose(bool disposing)
    {
        if (disposing && !Disposed)
        {
            Disposed = true;
            inner.Dispose();
        }

        base.Dispose(disposing);
    }
}
