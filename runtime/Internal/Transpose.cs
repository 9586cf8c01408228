using System.ComponentModel;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace FusedNet.Internal
{
    /// <summary>
    /// Infrastructure for generated code; not part of the supported API.
    /// Moves floats between layouts (NCHW ↔ NHWC): 8×8 blocks, and whole rows of images with fewer than 8 channels.
    /// Called by generated copy-in/copy-out code with literal strides; a scalar copy of a 100k-float input costs ~1 cycle
    /// per element, the AVX transpose ~¼.
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

        /// <summary>
        /// One image row from channel planes to interleaved pixels, for inputs with few channels (an RGB image):
        /// pixels[x·pixelStride + c] = planes[c·planeStride + x] for c &lt; <paramref name="channels"/>, x &lt; <paramref name="width"/>.
        /// Dense rows of 1–4 channels (pixelStride = channels) use AVX2 permutes, 8 pixels at a time (about 6× faster
        /// than the scalar loop for RGB at 224 wide); anything else is copied by scalar loops. Checks that both spans hold what the arguments reach.
        /// </summary>
        /// <exception cref="System.ArgumentOutOfRangeException">channels or width below 1, pixelStride below channels, or planeStride below width.</exception>
        /// <exception cref="System.ArgumentException">A span is shorter than the arguments reach.</exception>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)] // called once per image row of every inference: no tier-0 first calls
        public static void PlanesToPixels(System.ReadOnlySpan<float> planes, int planeStride, int channels, int width, System.Span<float> pixels, int pixelStride)
        {
            if (channels < 1) throw new System.ArgumentOutOfRangeException(nameof(channels), channels, "Transpose.PlanesToPixels: at least one channel.");
            if (width < 1) throw new System.ArgumentOutOfRangeException(nameof(width), width, "Transpose.PlanesToPixels: at least one pixel.");
            if (pixelStride < channels) throw new System.ArgumentOutOfRangeException(nameof(pixelStride), pixelStride, $"Transpose.PlanesToPixels: a pixel stride below the {channels} channels would overlap pixels.");
            if (planeStride < width && channels > 1) throw new System.ArgumentOutOfRangeException(nameof(planeStride), planeStride, $"Transpose.PlanesToPixels: a plane stride below the width {width} would overlap planes.");
            long planesReach = (long)(channels - 1) * planeStride + width, pixelsReach = (long)(width - 1) * pixelStride + channels;
            if (planes.Length < planesReach)
                throw new System.ArgumentException($"Transpose.PlanesToPixels: planes must hold {planesReach} floats for {channels} channels of {width}, but holds {planes.Length}.", nameof(planes));
            if (pixels.Length < pixelsReach)
                throw new System.ArgumentException($"Transpose.PlanesToPixels: pixels must hold {pixelsReach} floats for {width} pixels of stride {pixelStride}, but holds {pixels.Length}.", nameof(pixels));
            ref float from = ref System.Runtime.InteropServices.MemoryMarshal.GetReference(planes);
            ref float to = ref System.Runtime.InteropServices.MemoryMarshal.GetReference(pixels);
            int x = 0;
            if (Avx2.IsSupported && pixelStride == channels && channels <= 4)
                x = InterleaveDenseAvx2(ref from, planeStride, channels, width, ref to);
            if (pixelStride == channels)
            {
                // Dense pixels: each pixel's channels together, one write stream (3× faster than channel by channel for RGB).
                for (; x < width; x++)
                    for (int c = 0; c < channels; c++)
                        Unsafe.Add(ref to, x * pixelStride + c) = Unsafe.Add(ref from, c * planeStride + x);
            }
            else
            {
                // Padded pixels (every pixel its own cache line at 16 floats): channel by channel was faster here.
                for (int c = 0; c < channels; c++)
                    for (int p = x; p < width; p++)
                        Unsafe.Add(ref to, p * pixelStride + c) = Unsafe.Add(ref from, c * planeStride + p);
            }
        }

        /// <summary>
        /// Whole blocks of 8 pixels of 1–4 dense channels; returns the pixels done. Output vector j of a block holds flat
        /// elements f = 8j + e, i.e. pixel f / C, channel f mod C: each channel's 8 values are permuted to those pixel
        /// indices (one index vector per j, the same for every channel) and blended in where f mod C is that channel.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private static int InterleaveDenseAvx2(ref float planes, nint planeStride, int channels, int width, ref float pixels)
        {
            int blocks = width / 8 * 8;
            switch (channels)
            {
                case 1:
                    System.Runtime.InteropServices.MemoryMarshal.CreateReadOnlySpan(ref planes, blocks)
                        .CopyTo(System.Runtime.InteropServices.MemoryMarshal.CreateSpan(ref pixels, blocks));
                    break;
                case 2:
                    for (int x = 0; x < blocks; x += 8)
                    {
                        Vector256<float> p0 = Vector256.LoadUnsafe(ref planes, (nuint)x), p1 = Vector256.LoadUnsafe(ref Unsafe.Add(ref planes, planeStride), (nuint)x);
                        Vector256<float> low = Avx.UnpackLow(p0, p1), high = Avx.UnpackHigh(p0, p1); // pixels 0 1 4 5, 2 3 6 7
                        ref float o = ref Unsafe.Add(ref pixels, 2 * x);
                        Avx.Permute2x128(low, high, 0x20).StoreUnsafe(ref o);
                        Avx.Permute2x128(low, high, 0x31).StoreUnsafe(ref o, 8);
                    }
                    break;
                case 3:
                {
                    Vector256<int> i0 = Vector256.Create(0, 0, 0, 1, 1, 1, 2, 2), i1 = Vector256.Create(2, 3, 3, 3, 4, 4, 4, 5), i2 = Vector256.Create(5, 5, 6, 6, 6, 7, 7, 7);
                    for (int x = 0; x < blocks; x += 8)
                    {
                        Vector256<float> p0 = Vector256.LoadUnsafe(ref planes, (nuint)x);
                        Vector256<float> p1 = Vector256.LoadUnsafe(ref Unsafe.Add(ref planes, planeStride), (nuint)x);
                        Vector256<float> p2 = Vector256.LoadUnsafe(ref Unsafe.Add(ref planes, 2 * planeStride), (nuint)x);
                        ref float o = ref Unsafe.Add(ref pixels, 3 * x);
                        // Blend masks: bit e set takes lane e from the right operand. Lane e of vector j is channel (8j + e) mod 3.
                        Avx.Blend(Avx.Blend(Avx2.PermuteVar8x32(p0, i0), Avx2.PermuteVar8x32(p1, i0), 0b1001_0010), Avx2.PermuteVar8x32(p2, i0), 0b0010_0100).StoreUnsafe(ref o);
                        Avx.Blend(Avx.Blend(Avx2.PermuteVar8x32(p0, i1), Avx2.PermuteVar8x32(p1, i1), 0b0010_0100), Avx2.PermuteVar8x32(p2, i1), 0b0100_1001).StoreUnsafe(ref o, 8);
                        Avx.Blend(Avx.Blend(Avx2.PermuteVar8x32(p0, i2), Avx2.PermuteVar8x32(p1, i2), 0b0100_1001), Avx2.PermuteVar8x32(p2, i2), 0b1001_0010).StoreUnsafe(ref o, 16);
                    }
                    break;
                }
                case 4:
                    for (int x = 0; x < blocks; x += 8)
                    {
                        Vector256<float> p0 = Vector256.LoadUnsafe(ref planes, (nuint)x);
                        Vector256<float> p1 = Vector256.LoadUnsafe(ref Unsafe.Add(ref planes, planeStride), (nuint)x);
                        Vector256<float> p2 = Vector256.LoadUnsafe(ref Unsafe.Add(ref planes, 2 * planeStride), (nuint)x);
                        Vector256<float> p3 = Vector256.LoadUnsafe(ref Unsafe.Add(ref planes, 3 * planeStride), (nuint)x);
                        Vector256<float> t0 = Avx.UnpackLow(p0, p1), t1 = Avx.UnpackHigh(p0, p1), t2 = Avx.UnpackLow(p2, p3), t3 = Avx.UnpackHigh(p2, p3);
                        Vector256<float> s0 = Avx.Shuffle(t0, t2, 0b01_00_01_00), s1 = Avx.Shuffle(t0, t2, 0b11_10_11_10); // pixels 0|4, 1|5
                        Vector256<float> s2 = Avx.Shuffle(t1, t3, 0b01_00_01_00), s3 = Avx.Shuffle(t1, t3, 0b11_10_11_10); // pixels 2|6, 3|7
                        ref float o = ref Unsafe.Add(ref pixels, 4 * x);
                        Avx.Permute2x128(s0, s1, 0x20).StoreUnsafe(ref o);
                        Avx.Permute2x128(s2, s3, 0x20).StoreUnsafe(ref o, 8);
                        Avx.Permute2x128(s0, s1, 0x31).StoreUnsafe(ref o, 16);
                        Avx.Permute2x128(s2, s3, 0x31).StoreUnsafe(ref o, 24);
                    }
                    break;
                default:
                    return 0;
            }
            return blocks;
        }

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
