using System;
using System.Runtime.InteropServices;

namespace FusedNet.Internal
{
    /// <summary>
    /// Moves the current thread off one CPU (Linux only; elsewhere a no-op). A worker woken by the caller can be placed on
    /// the caller's own CPU by the scheduler (seen on 2-vCPU VMs that report no shared cache between their vCPUs: 97% of
    /// wake-ups), where it preempts the caller and cannot help it. Restricting the worker's affinity to the other CPUs makes
    /// the kernel migrate it at once; the full mask is restored right after, so the thread is never pinned.
    /// </summary>
    internal static unsafe class CpuPlacement
    {
        private const int MaskBytes = 128; // 1,024 CPUs, as glibc's cpu_set_t

        private static readonly Lazy<(IntPtr Get, IntPtr Set)> s_affinity = new(LoadAffinityFunctions);

        /// <summary>Moves the calling thread to another CPU it may run on, if it is on <paramref name="cpu"/>; false when it stayed.</summary>
        public static bool MoveOff(int cpu)
        {
            if (!OperatingSystem.IsLinux() || cpu < 0 || cpu >= MaskBytes * 8) return false;
            IntPtr set = s_affinity.Value.Set;
            byte* allowed = stackalloc byte[MaskBytes];
            byte* elsewhere = stackalloc byte[MaskBytes];
            if (set == IntPtr.Zero || !ReadAffinity(allowed)) return false;
            var setAffinity = (delegate* unmanaged<int, nuint, byte*, int>)set;
            new Span<byte>(allowed, MaskBytes).CopyTo(new Span<byte>(elsewhere, MaskBytes));
            elsewhere[cpu / 8] &= (byte)~(1 << (cpu % 8));
            if (new Span<byte>(elsewhere, MaskBytes).IndexOfAnyExcept((byte)0) < 0) return false; // no other CPU allowed
            // Any failure (a seccomp filter, a cgroup change in between) leaves the thread where it is: only slower.
            bool moved = setAffinity(0, MaskBytes, elsewhere) == 0;
            setAffinity(0, MaskBytes, allowed);
            return moved;
        }

        /// <summary>How many CPUs the calling thread may run on (Linux; -1 elsewhere or when it cannot be read). For tests.</summary>
        internal static int AllowedCpuCount()
        {
            if (!OperatingSystem.IsLinux()) return -1;
            byte* allowed = stackalloc byte[MaskBytes];
            if (!ReadAffinity(allowed)) return -1;
            int count = 0;
            for (int i = 0; i < MaskBytes; i++) count += System.Numerics.BitOperations.PopCount(allowed[i]);
            return count;
        }

        /// <summary>The calling thread's affinity mask into <paramref name="mask"/> (<see cref="MaskBytes"/> bytes); false when it cannot be read.</summary>
        private static bool ReadAffinity(byte* mask)
        {
            IntPtr get = s_affinity.Value.Get;
            if (get == IntPtr.Zero) return false;
            new Span<byte>(mask, MaskBytes).Clear();
            return ((delegate* unmanaged<int, nuint, byte*, int>)get)(0, MaskBytes, mask) == 0;
        }

        /// <summary>
        /// sched_getaffinity and sched_setaffinity from libc, loaded by name as RegularFileCheck loads statx (NativeAOT
        /// does not map "libc"); zero when there are none.
        /// </summary>
        private static (IntPtr, IntPtr) LoadAffinityFunctions()
        {
            foreach (string name in new[] { "libc.so.6", "libc.so" })
            {
                if (NativeLibrary.TryLoad(name, out IntPtr library) &&
                    NativeLibrary.TryGetExport(library, "sched_getaffinity", out IntPtr get) &&
                    NativeLibrary.TryGetExport(library, "sched_setaffinity", out IntPtr set))
                    return (get, set);
            }
            return (IntPtr.Zero, IntPtr.Zero);
        }
    }
}
