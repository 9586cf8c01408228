using System;
using System.Diagnostics;
using System.Linq;
using System.Threading;
using FusedNet.Bench.Networks;

namespace FusedNet.Bench.Checks
{
    /// <summary>
    /// `--idle-cpu NET [THREADS]`: what a multi-threaded engine costs while the app does something else. For FusedNet
    /// (NetworkOptions.Threads) and then ONNX Runtime (IntraOpNumThreads) on the same network: a burst of inferences, then
    /// (1) one second with no call at all, and (2) two seconds of one call every 10 ms (a 100 Hz control loop). Reported:
    /// process CPU time per wall second, and in (2) the CPU time beyond what the calls themselves took on the calling
    /// thread — the cost of worker threads that spin instead of sleeping. FusedNet runs first, before ORT has ever run a
    /// call, so ORT's pool cannot add to FusedNet's numbers.
    /// </summary>
    internal static class IdleCpu
    {
        public static int Run(string networkName, int threads)
        {
            if (BenchNetworks.Parse(networkName) is not { } bench) return 2;
            using PreparedNetwork prepared = PreparedNetwork.Create(bench, threads);
            Console.WriteLine($"network {bench.Key}, {threads} thread(s) for both engines; {Environment.ProcessorCount} cores; CPU time of the whole process");
            Console.WriteLine($"{"engine",-10} {"idle: CPU ms per s",20} {"100 Hz: CPU ms per s",22} {"of which calls",16} {"beyond the calls",18}");
            Report("FusedNet", () => prepared.Network.Forward(prepared.Input, prepared.FusedOutput));
            Report("ORT", prepared.Ort.Run);
            return 0;
        }

        private static void Report(string engine, Action call)
        {
            for (int i = 0; i < 200; i++) call(); // warm: JIT, thread pools awake

            // (1) Idle: nothing runs for a second.
            TimeSpan before = CpuTime();
            var wall = Stopwatch.StartNew();
            Thread.Sleep(1000);
            double idle = (CpuTime() - before).TotalMilliseconds / wall.Elapsed.TotalSeconds;

            // (2) A 100 Hz loop: one call every 10 ms for two seconds.
            before = CpuTime();
            wall.Restart();
            double callMs = 0;
            int calls = 0;
            while (wall.Elapsed < TimeSpan.FromSeconds(2))
            {
                long start = Stopwatch.GetTimestamp();
                call();
                callMs += Stopwatch.GetElapsedTime(start).TotalMilliseconds;
                calls++;
                Thread.Sleep(10);
            }
            double seconds = wall.Elapsed.TotalSeconds;
            double loop = (CpuTime() - before).TotalMilliseconds / seconds;
            double callsPerSecond = callMs / seconds;
            Console.WriteLine($"{engine,-10} {idle,20:F1} {loop,22:F1} {callsPerSecond,16:F1} {loop - callsPerSecond,18:F1}   ({calls} calls)");
        }

        private static TimeSpan CpuTime()
        {
            using var process = Process.GetCurrentProcess();
            return process.TotalProcessorTime;
        }
    }
}
