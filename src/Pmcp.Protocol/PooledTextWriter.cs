using System.Buffers;
using System.Globalization;
using System.Text;

namespace Pmcp.Protocol;

/// <summary>
/// A text writer over one character buffer rented from the shared pool, grown by doubling, that gives its text as one
/// string. It stands where a <see cref="StringWriter"/> stood under the JSON writer: a large value (a 256 KB argument
/// echoed back) went into the string builder as one chunk of its own size and was copied again into the string, so a
/// large answer cost two large-object allocations, and each one only a gen2 collection frees (issue 30: the hostile
/// clients' large messages made the whole server collect). Here the buffer is the pool's, so only the string is new.
/// </summary>
internal sealed class PooledTextWriter() : TextWriter(CultureInfo.InvariantCulture)
{
    private const int InitialChars = 256;

    private char[] _buffer = ArrayPool<char>.Shared.Rent(InitialChars);
    private int _length;

    public override Encoding Encoding => Encoding.Unicode;

    /// <summary>The characters written since the last <see cref="Clear"/>.</summary>
    public int Length => _length;

    public override void Write(char value)
    {
        if (_length == _buffer.Length) Grow(1);
        _buffer[_length++] = value;
    }

    public override void Write(char[] buffer, int index, int count) => Write(buffer.AsSpan(index, count));

    public override void Write(string? value) => Write(value.AsSpan());

    public override void Write(ReadOnlySpan<char> buffer)
    {
        if (buffer.Length > _buffer.Length - _length) Grow(buffer.Length);
        buffer.CopyTo(_buffer.AsSpan(_length));
        _length += buffer.Length;
    }

    /// <summary>What was written, as one string.</summary>
    public override string ToString() => new(_buffer, 0, _length);

    /// <summary>
    /// Forgets what was written. A buffer grown past <paramref name="keepChars"/> goes back to the pool for a small one:
    /// a writer kept between uses (one a thread) does not hold on to the size of its largest text.
    /// </summary>
    public void Clear(int keepChars)
    {
        _length = 0;
        if (_buffer.Length <= keepChars) return;
        ArrayPool<char>.Shared.Return(_buffer);
        _buffer = ArrayPool<char>.Shared.Rent(InitialChars);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing && _buffer.Length > 0)
        {
            ArrayPool<char>.Shared.Return(_buffer);
            _buffer = [];
            _length = 0;
        }
        base.Dispose(disposing);
    }

    private void Grow(int more)
    {
        var larger = ArrayPool<char>.Shared.Rent((int)Math.Min(Math.Max(2L * _buffer.Length, (long)_length + more), Array.MaxLength));
        _buffer.AsSpan(0, _length).CopyTo(larger);
        ArrayPool<char>.Shared.Return(_buffer);
        _buffer = larger;
    }
}
