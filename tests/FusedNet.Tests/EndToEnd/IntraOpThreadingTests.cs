using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Threading;

namespace FusedNet.Tests.EndToEnd
{
    /// <summary>
    /// Large enough that the default SplitThreshold (500,000) splits its convolutions and pool between threads: conv1
    /// 4.1 M MACs, pool 16·900·32 work, conv2 1.5 M MACs; odd sizes (30×30 → 15×15, 24 channels).
    /// </summary>
    [FusedNetwork(16, 30, 30)]
    [Conv2d(32, 3, Padding = 1)] [BatchNorm2d] [ReLU]
    [MaxPool2d(2)]
    [Conv2d(24, 3, Padding = 1)] [BatchNorm2d] [ReLU6]
    [GlobalAvgPool2d]
    [Linear(5)]
    public partial class ParallelNet;

    /// <summary>
    /// NetworkOptions.Threads (issue 9): results equal to one thread's bit for bit on 1–4 threads and batch sizes below, at
    /// and above the thread count; no allocation per call; no CPU while idle; workers stop on StopThreads/Dispose; clear
    /// errors for bad options. (Every sweep network on 2–4 threads: Networks/ParallelSweepTests.)
    /// </summary>
    [Collection(FusedNet.Tests.Networks.SweepCollection.Name)] // no other test starts workers meanwhile: the thread counts below are exact
    public class IntraOpThreadingTests
    {
        private static readonly InMemoryWeights Weights = RandomWeights.Create(ParallelNet.ExpectedWeights, seed: 91);

        private static float[] Input(int batch) => RandomWeights.RandomInput(batch * ParallelNet.InputLength, seed: 92);

        private static float[] Run(ParallelNet net, float[] input, int batch, bool fused = true)
        {
            float[] output = new float[batch * ParallelNet.OutputLength];
            Array.Fill(output, float.NaN);
            if (fused) net.Forward(input, output, batch);
            else net.ForwardUnfused(input, output, batch);
            return output;
        }

        [Fact]
        public void TheDefaultIsOneThread_AndStartsNoWorker()
        {
            HashSet<int> before = WorkerTasks();
            using var net = new ParallelNet(Weights);
            Assert.Equal(1, net.Threads);
            Assert.Equal(1, ((IFusedNetwork)net).Threads);
            Assert.Empty(WorkerTasks().Except(before));
        }

        [Theory]
        [InlineData(1)]
        [InlineData(2)]
        [InlineData(3)]
        [InlineData(4)]
        public void AnyThreadCount_GivesTheOneThreadResult_ForAnyBatchSize(int threads)
        {
            using var single = new ParallelNet(Weights);
            using var parallel = new ParallelNet(Weights, new NetworkOptions { Threads = threads });
            foreach (int batch in new[] { 1, 2, 5 })
            {
                float[] input = Input(batch);
                foreach (bool fused in new[] { true, false })
                {
                    float[] expected = Run(single, input, batch, fused);
                    float[] actual = Run(parallel, input, batch, fused);
                    Assert.DoesNotContain(expected, float.IsNaN);
                    Assert.Equal(expected, actual); // same kernels, same order of operations per element: bit-identical
                }
            }
        }

        [Fact]
        public void ProfileForward_WithThreads_TimesEveryStep_AndGivesTheSameResult()
        {
            using var parallel = new ParallelNet(Weights, new NetworkOptions { Threads = 2, SplitThreshold = 0 });
            float[] input = Input(1);
            float[] expected = Run(parallel, input, 1);
            float[] output = new float[ParallelNet.OutputLength];
            long[] ticks = new long[ParallelNet.Steps(true).Count];
            parallel.ProfileForward(input, output, ticks, fused: true);
            Assert.Equal(expected, output);
            Assert.All(ticks, t => Assert.True(t >= 0));
            Assert.True(ticks.Sum() > 0);
        }

        [Fact]
        public void ThreadedForward_AllocatesNothing()
        {
            using var parallel = new ParallelNet(Weights, new NetworkOptions { Threads = 2, SplitThreshold = 0 });
            float[] one = Input(1), three = Input(3);
            float[] outOne = new float[ParallelNet.OutputLength], outThree = new float[3 * ParallelNet.OutputLength];
            void Calls()
            {
                parallel.Forward(one, outOne);
                parallel.ForwardUnfused(one, outOne);
                parallel.Forward(three, outThree, 3);
                parallel.ForwardUnfused(three, outThree, 3);
            }
            for (int i = 0; i < 10; i++) Calls(); // warm-up: JIT, the workers' first wait on the monitor

            // This thread, exactly.
            Assert.Equal(0, FusedNet.Tests.Harness.AllocationMeter.LeastBytes(() =>
            {
                for (int i = 0; i < 50; i++) Calls();
            }));

            // The workers, exactly: each records GC.GetAllocatedBytesForCurrentThread after every part it runs. (The process-wide
            // counter would also see the tests that run in parallel with this one.)
            var workers = (FusedNet.Internal.ParallelWorkers)typeof(ParallelNet)
                .GetField("_workers", System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Instance)!.GetValue(parallel)!;
            long least = long.MaxValue; // the smallest of three windows, as AllocationMeter does for this thread
            for (int window = 0; window < 3 && least != 0; window++)
            {
                long workersBefore = workers.WorkerAllocatedBytes;
                for (int i = 0; i < 50; i++) Calls();
                least = Math.Min(least, workers.WorkerAllocatedBytes - workersBefore);
            }
            Assert.Equal(0, least);
        }

        [Fact]
        public void IdleWorkers_UseNoCpu_AndStopWhenDisposed()
        {
            HashSet<int> before = WorkerTasks();
            var net = new ParallelNet(Weights, new NetworkOptions { Threads = 3 });
            int[] workers = WorkerTasks().Except(before).ToArray();
            Assert.Equal(2, workers.Length); // Threads − 1 workers; the caller is the third

            float[] input = Input(1);
            for (int i = 0; i < 200; i++) Run(net, input, 1); // busy: the workers spin between steps
            Thread.Sleep(50);                                   // past their 50 µs spin: asleep
            long cpuBefore = workers.Sum(CpuTicks);
            Thread.Sleep(1000);
            long idleTicks = workers.Sum(CpuTicks) - cpuBefore;
            // Clock ticks are 10 ms: a worker spinning for the second would show ~100 per worker.
            Assert.True(idleTicks <= 2, $"idle workers used {idleTicks} clock ticks of CPU in 1 s");

            net.Dispose();
            var deadline = Stopwatch.StartNew();
            while (workers.Any(TaskExists) && deadline.Elapsed < TimeSpan.FromSeconds(5)) Thread.Sleep(10);
            Assert.False(workers.Any(TaskExists), "worker threads still run 5 s after Dispose");
            Assert.Throws<ObjectDisposedException>(() => Run(net, input, 1));
            Assert.Throws<ObjectDisposedException>(() => Run(net, Input(3), 3));
        }

        [Fact]
        public void CloneForThread_KeepsTheThreadCount_WithItsOwnWorkers()
        {
            using var net = new ParallelNet(Weights, new NetworkOptions { Threads = 2, SplitThreshold = 0 });
            HashSet<int> before = WorkerTasks();
            using ParallelNet clone = net.CloneForThread();
            Assert.Equal(2, clone.Threads);
            Assert.Single(WorkerTasks().Except(before));
            float[] input = Input(1);
            Assert.Equal(Run(net, input, 1), Run(clone, input, 1));
        }

        [Fact]
        public void BadOptions_ThrowNamingTheNetworkAndTheSetting()
        {
            var tooFew = Assert.Throws<ArgumentOutOfRangeException>(() => new ParallelNet(Weights, new NetworkOptions { Threads = 0 }));
            Assert.Contains("ParallelNet: NetworkOptions.Threads must be between 1 and 64, but is 0.", tooFew.Message);
            var tooMany = Assert.Throws<ArgumentOutOfRangeException>(() => new ParallelNet(Weights, new NetworkOptions { Threads = 65 }));
            Assert.Contains("but is 65", tooMany.Message);
            var spin = Assert.Throws<ArgumentOutOfRangeException>(() => new ParallelNet(Weights, new NetworkOptions { Threads = 2, SpinMicroseconds = -1 }));
            Assert.Contains("NetworkOptions.SpinMicroseconds must be between 0 and 10000, but is -1.", spin.Message);
            var threshold = Assert.Throws<ArgumentOutOfRangeException>(() => new ParallelNet(Weights, new NetworkOptions { SplitThreshold = -5 }));
            Assert.Contains("NetworkOptions.SplitThreshold must not be negative, but is -5.", threshold.Message);
            Assert.Throws<ArgumentNullException>(() => new ParallelNet(Weights, null!));
        }

        [Fact]
        public void NoSpin_StillGivesTheSameResult()
        {
            // SpinMicroseconds = 0: every handover goes through the monitor (the slow path the spin usually hides).
            using var single = new ParallelNet(Weights);
            using var parallel = new ParallelNet(Weights, new NetworkOptions { Threads = 2, SpinMicroseconds = 0, SplitThreshold = 0 });
            float[] input = Input(1);
            float[] expected = Run(single, input, 1);
            for (int i = 0; i < 200; i++) Assert.Equal(expected, Run(parallel, input, 1));
        }

        /// <summary>
        /// Linux thread ids of this process's worker threads of ParallelNet instances: their names start with "FusedNet ParallelNet"
        /// (Linux keeps the first 15 characters). Only this class builds ParallelNet, and its tests run one at a time, while
        /// other test classes start workers of other networks in parallel: those must not count here.
        /// </summary>
        private static HashSet<int> WorkerTasks()
        {
            string prefix = "FusedNet ParallelNet worker".Substring(0, 15);
            var ids = new HashSet<int>();
            foreach (string task in Directory.GetDirectories("/proc/self/task"))
            {
                try
                {
                    if (File.ReadAllText(Path.Combine(task, "comm")).StartsWith(prefix, StringComparison.Ordinal))
                        ids.Add(int.Parse(Path.GetFileName(task)));
                }
                catch (IOException) { } // the thread ended meanwhile
            }
            return ids;
        }

        private static bool TaskExists(int id) => Directory.Exists($"/proc/self/task/{id}");

        /// <summary>utime + stime of a thread, in clock ticks (fields 14 and 15 of /proc/self/task/ID/stat).</summary>
        private static long CpuTicks(int id)
        {
            string stat = File.ReadAllText($"/proc/self/task/{id}/stat");
            string[] fields = stat.Substring(stat.LastIndexOf(')') + 2).Split(' ');
            // fields[0] is field 3 (state), so field 14 is fields[11].
            return long.Parse(fields[11]) + long.Parse(fields[12]);
        }
    }
}
