using System.Runtime.Intrinsics;

namespace FusedNet
{
    /// <summary>
    /// The SIMD width a network's kernels run with. Every vectorised step is generated in three variants and the
    /// widest one the hardware accelerates is picked at run time: <see cref="Vector512"/> where AVX-512 is
    /// accelerated (for steps with more than 8 channels), else <see cref="Vector256"/> where AVX2 is, else
    /// <see cref="Vector128"/> (SSE on any x86-64, NEON on ARM64, and NativeAOT builds without an instruction-set
    /// setting). The value is the number of bits.
    /// </summary>
    public enum VectorWidth
    {
        /// <summary>4 floats per vector: <see cref="System.Runtime.Intrinsics.Vector128{T}"/> kernels.</summary>
        Vector128 = 128,

        /// <summary>8 floats per vector: <see cref="System.Runtime.Intrinsics.Vector256{T}"/> kernels.</summary>
        Vector256 = 256,

        /// <summary>16 floats per vector: <see cref="System.Runtime.Intrinsics.Vector512{T}"/> kernels.</summary>
        Vector512 = 512,
    }

    /// <summary>Facts about a <see cref="VectorWidth"/> on the machine the code runs on.</summary>
    public static class VectorWidthExtensions
    {
        /// <summary>
        /// True when this width runs on SIMD hardware here. FusedNet only picks <see cref="VectorWidth.Vector256"/> or
        /// <see cref="VectorWidth.Vector512"/> when they are; <see cref="VectorWidth.Vector128"/> is accelerated on every
        /// x86-64 and ARM64 CPU, so false means a platform without SIMD, where the kernels run in software.
        /// </summary>
        public static bool IsHardwareAccelerated(this VectorWidth width) => width switch
        {
            VectorWidth.Vector128 => Vector128.IsHardwareAccelerated,
            VectorWidth.Vector256 => Vector256.IsHardwareAccelerated,
            VectorWidth.Vector512 => Vector512.IsHardwareAccelerated,
            _ => false,
        };

        /// <summary>Floats per vector: 4, 8 or 16.</summary>
        public static int Lanes(this VectorWidth width) => (int)width / 32;
    }
}
