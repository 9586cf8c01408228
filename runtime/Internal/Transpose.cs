using System.ComponentModel;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace FusedNet.Internal
{
    /// <summary>
    /// Infrastructure for generated code; not part of the supported API.
    /// Moves 8×8 blocks of floats between layouts (NCHW ↔ NHWC). Called by generated copy-in/copy-out code with
    /// literal strides; a scalar copy of a 100k-float input costs ~1 cycle per element, the AVX transpose ~¼.
    /// </summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public static class Transpose
    {
        /// <summary>
        /// destination[j·destinationStride + i] = source[i·sourceStride + j] for i, j in 0..7 (strides in floats).
        /// Checks that both spans hold the 8 rows of 8 their strides reach, so no argument can make it read or write
        /// outside them (generated code passes spans of exactly that length, with literal strides).
        /// </summary>
        /// <exception cref="System.ArgumentOutOfRangeException">A stride is below 8 (rows would overlap).</exception>
        /// <exception cref="System.ArgumentException">A span is shorter than 7·stride + 8.</exception>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void Block8x8(System.ReadOnlySpan<float> source, int sourceStride, System.Span<float> destination, int destinationStride)
        {
            RequireRows(source.Length, sourceStride, nameof(source), nameof(sourceStride));
            RequireRows(destination.Length, destinationStride, nameof(destination), nameof(destinationStride));
            ref float from = ref System.Runtime.InteropServices.MemoryMarshal.GetReference(source);
            ref float to = ref System.Runtime.InteropServices.MemoryMarshal.GetReference(destination);
            if (Avx.IsSupported)
            {
                Block8x8Avx(ref from, sourceStride, ref to, destinationStride);
                return;
            }
            for (int i = 0; i < 8; i++)
                for (int j = 0; j < 8; j++)
                    Unsafe.Add(ref to, j * destinationStride + i) = Unsafe.Add(ref from, i * sourceStride + j);
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void RequireRows(int length, int stride, string spanName, string strideName)
        {
            // stride ≥ 8 also bounds 7·stride + 8 from below, and (long) keeps a huge stride from wrapping around.
            if (stride < 8)
                ThrowStride(strideName, stride);
            if (length < 7L * stride + 8)
                ThrowLength(spanName, length, stride);
        }

        private static void ThrowStride(string name, int stride) =>
            throw new System.ArgumentOutOfRangeException(name, stride, "Transpose.Block8x8: a stride must be at least 8 floats.");

        private static void ThrowLength(string name, int length, int stride) =>
            throw new System.ArgumentException($"Transpose.Block8x8: {name} must hold 7 x {stride} + 8 = {7L * stride + 8} floats for its stride, but holds {length}.", name);

        /// <summary>The classic three-stage 8×8 transpose: interleave pairs, then quads, then 128-bit halves.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void Block8x8Avx(ref float source, nint sourceStride, ref float destination, nint destinationStride)
        {
            Vector256<float> r0 = Vector256.LoadUnsafe(ref source);
            Vector256<float> r1 = Vector256.LoadUnsafe(ref Unsafe.Add(ref source, sourceStride));
            Vector256<float> r2 = Vector256.LoadUnsafe(ref Unsafe.Add(ref source, 2 * sourceStride));
            Vector256<float> r3 = Vector256.LoadUnsafe(ref Unsafe.Add(ref source, 3 * sourceStride));
            Vector256<float> r4 = Vector256.LoadUnsafe(ref Unsafe.Add(ref source, 4 * sourceStride));
            Vector256<float> r5 = Vector256.LoadUnsafe(ref Unsafe.Add(ref source, 5 * sourceStride));
            Vector256<float> r6 = Vector256.LoadUnsafe(ref Unsafe.Add(ref source, 6 * sourceStride));
            Vector256<float> r7 = Vector256.LoadUnsafe(ref Unsafe.Add(ref source, 7 * sourceStride));

            // Stage 1: interleave rows pairwise (within each 128-bit lane).
            Vector256<float> t0 = Avx.UnpackLow(r0, r1), t1 = Avx.UnpackHigh(r0, r1);
            Vector256<float> t2 = Avx.UnpackLow(r2, r3), t3 = Avx.UnpackHigh(r2, r3);
            Vector256<float> t4 = Avx.UnpackLow(r4, r5), t5 = Avx.UnpackHigh(r4, r5);
            Vector256<float> t6 = Avx.UnpackLow(r6, r7), t7 = Avx.UnpackHigh(r6, r7);

            // Stage 2: gather 4-element columns (within each 128-bit lane).
            Vector256<float> s0 = Avx.Shuffle(t0, t2, 0b01_00_01_00), s1 = Avx.Shuffle(t0, t2, 0b11_10_11_10);
            Vector256<float> s2 = Avx.Shuffle(t1, t3, 0b01_00_01_00), s3 = Avx.Shuffle(t1, t3, 0b11_10_11_10);
            Vector256<float> s4 = Avx.Shuffle(t4, t6, 0b01_00_01_00), s5 = Avx.Shuffle(t4, t6, 0b11_10_11_10);
            Vector256<float> s6 = Avx.Shuffle(t5, t7, 0b01_00_01_00), s7 = Avx.Shuffle(t5, t7, 0b11_10_11_10);

            // Stage 3: swap 128-bit halves between the two groups of four rows.
            Avx.Permute2x128(s0, s4, 0x20).StoreUnsafe(ref destination);
            Avx.Permute2x128(s1, s5, 0x20).StoreUnsafe(ref Unsafe.Add(ref destination, destinationStride));
            Avx.Permute2x128(s2, s6, 0x20).StoreUnsafe(ref Unsafe.Add(ref destination, 2 * destinationStride));
            Avx.Permute2x128(s3, s7, 0x20).StoreUnsafe(ref Unsafe.Add(ref destination, 3 * destinationStride));
            Avx.Permute2x128(s0, s4, 0x31).StoreUnsafe(ref Unsafe.Add(ref destination, 4 * destinationStride));
            Avx.Permute2x128(s1, s5, 0x31).StoreUnsafe(ref Unsafe.Add(ref destination, 5 * destinationStride));
            Avx.Permute2x128(s2, s6, 0x31).StoreUnsafe(ref Unsafe.Add(ref destination, 6 * destinationStride));
            Avx.Permute2x128(s3, s7, 0x31).StoreUnsafe(ref Unsafe.Add(ref destination, 7 * destinationStride));
        }
    }
}
