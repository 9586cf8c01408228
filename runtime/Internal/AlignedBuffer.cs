using System;
using System.ComponentModel;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace FusedNet.Internal
{
    /// <summary>
    /// Infrastructure for generated code; not part of the supported API.
    /// A float buffer that never moves (pinned object heap) and starts on a 64-byte boundary, so vector
    /// loads never split cache lines. Created zeroed, and every page is touched at construction
    /// (page faults cost ~12 µs each here; they must not land in the first Forward).
    /// </summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public sealed unsafe class AlignedBuffer
    {
        private const int AlignmentInFloats = 16; // 64 bytes
        private readonly float[] _array;
        private readonly int _offset;

        /// <summary>A zeroed, pre-touched buffer of <paramref name="length"/> floats.</summary>
        /// <exception cref="ArgumentOutOfRangeException"><paramref name="length"/> is negative.</exception>
        public AlignedBuffer(int length)
        {
            if (length < 0) throw new ArgumentOutOfRangeException(nameof(length));
            Length = length;
            // Zeroed by the runtime, which also touches every page.
            _array = GC.AllocateArray<float>(length + AlignmentInFloats, pinned: true);
            nint address = (nint)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(_array));
            int misalignedFloats = (int)((address & 63) / sizeof(float));
            _offset = misalignedFloats == 0 ? 0 : AlignmentInFloats - misalignedFloats;
        }

        /// <summary>A buffer holding a copy of <paramref name="data"/>, zero-padded to <paramref name="length"/>.</summary>
        public static AlignedBuffer CopyOf(ReadOnlySpan<float> data, int length)
        {
            if (data.Length > length) throw new ArgumentException("data is longer than the buffer", nameof(data));
            var buffer = new AlignedBuffer(length);
            data.CopyTo(buffer.Span);
            return buffer;
        }

        /// <summary>Number of usable floats.</summary>
        public int Length { get; }

        /// <summary>Reference to element 0. Valid for the buffer's lifetime (the array is pinned).</summary>
        public ref float Start => ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_array), _offset);

        /// <summary>The usable floats, starting at the aligned element 0.</summary>
        public Span<float> Span => _array.AsSpan(_offset, Length);
    }
}
