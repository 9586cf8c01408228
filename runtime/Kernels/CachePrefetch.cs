using System.ComponentModel;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics.X86;

namespace FusedNet.Kernels
{
    /// <summary>
    /// Infrastructure for generated code; not part of the supported API.
    /// Asks the CPU to bring a cache line into the cache ahead of its use: generated kernels that stream weights larger than
    /// L2 (Winograd U, e.g. ResNet-18's layer2 and layer3; the blocks of a 1×1 conv past L2, e.g. MobileNetV2's 320 → 1280)
    /// ask for the next register block's weights while they compute the current one, so the first pass over a block does
    /// not wait for memory line by line. Generated code is not compiled unsafe, hence this helper; it must be inlined (a
    /// call in a kernel loop spills every vector register), which is why kernels keep their locals few (KernelLocalsTests).
    /// </summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public static unsafe class CachePrefetch
    {
        /// <summary>
        /// Prefetches the cache line holding <paramref name="address"/> into the level-2 cache (x86 <c>prefetcht1</c>);
        /// nothing elsewhere. A prefetch never faults and never changes a value: an address past the data is harmless.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void Line(ref float address)
        {
            if (Sse.IsSupported) Sse.Prefetch1(Unsafe.AsPointer(ref address));
        }
    }
}
