using System;

namespace FusedNet.Tests.Harness
{
    /// <summary>
    /// Bytes a piece of code allocates on the calling thread, for the zero-allocation tests. A one-off runtime event charged
    /// to this thread (the tiered JIT scheduling a method's tier-1 compile after its first calls, seen under load) can land
    /// in any window, while an allocation in Forward repeats on every call: so the smallest of up to three windows.
    /// </summary>
    internal static class AllocationMeter
    {
        public static long LeastBytes(Action window, int windows = 3)
        {
            long least = long.MaxValue;
            for (int i = 0; i < windows && least != 0; i++)
            {
                long before = GC.GetAllocatedBytesForCurrentThread();
                window();
                least = Math.Min(least, GC.GetAllocatedBytesForCurrentThread() - before);
            }
            return least;
        }
    }
}
