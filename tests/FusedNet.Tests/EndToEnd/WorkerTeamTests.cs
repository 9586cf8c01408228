using System;
using System.Threading;
using FusedNet.Internal;
using Xunit;

namespace FusedNet.Tests.EndToEnd
{
    /// <summary>
    /// ParallelWorkers on its own, with bodies that record what they are given: every unit of a job runs exactly once,
    /// whatever the thread count, unit count and chunking; a thread that is held back has its share taken over by the
    /// others; failures reach the caller; nothing is allocated per job.
    /// </summary>
    public class WorkerTeamTests
    {
        /// <summary>Counts how often each unit ran and checks every range it is given.</summary>
        private sealed class CountingBody : IParallelBody
        {
            public int[] Runs = Array.Empty<int>();
            public int Units, BadRanges;
            public readonly int[] UnitsByPart = new int[8];

            public void RunRows(int job, int begin, int end, int part) => Record(begin, end, part);

            public void RunSamples(int job, ref float input, ref float output, int begin, int end, int part) => Record(begin, end, part);

            private void Record(int begin, int end, int part)
            {
                if (begin < 0 || end > Units || begin >= end) Interlocked.Increment(ref BadRanges);
                for (int u = Math.Max(begin, 0); u < Math.Min(end, Units); u++) Interlocked.Increment(ref Runs[u]);
                Interlocked.Add(ref UnitsByPart[part], end - begin);
            }
        }

        [Theory]
        [InlineData(2, 50)]
        [InlineData(3, 50)]
        [InlineData(4, 50)]
        [InlineData(2, 0)]
        [InlineData(4, 0)]
        public void EveryUnit_RunsExactlyOnce_ForAnyChunking(int threads, int spinMicroseconds)
        {
            using var team = new ParallelWorkers(threads, spinMicroseconds, "team-test");
            var body = new CountingBody();
            foreach (int units in new[] { 1, 2, 3, 5, 7, 16, 31, 100, 1000 })
                foreach (int chunks in new[] { 1, 2, 4, int.MaxValue })
                {
                    body.Runs = new int[units];
                    body.Units = units;
                    const int jobs = 40;
                    for (int job = 0; job < jobs; job++) team.RunRows(body, job, units, chunks);
                    Assert.Equal(0, body.BadRanges);
                    for (int u = 0; u < units; u++)
                        Assert.True(body.Runs[u] == jobs, $"{threads} threads, {units} units, {chunks} chunks per thread: unit {u} ran {body.Runs[u]} times in {jobs} jobs");
                }
        }

        [Fact]
        public void Samples_EachRunsOnce()
        {
            using var team = new ParallelWorkers(3, 50, "team-test");
            var body = new CountingBody { Runs = new int[10], Units = 10 };
            float[] input = new float[10], output = new float[10];
            for (int job = 0; job < 30; job++) team.RunSamples(body, 0, input, output, 10);
            Assert.Equal(0, body.BadRanges);
            Assert.All(body.Runs, runs => Assert.Equal(30, runs));
        }

        /// <summary>Reads input[row] for each row it is given (through the pointer the team passes) into its copy.</summary>
        private sealed class InputRowBody : IParallelBody
        {
            public float[] Copied = Array.Empty<float>();
            public int RowJobs, BadRanges;

            public void RunRows(int job, int begin, int end, int part) => Interlocked.Increment(ref RowJobs);

            public void RunSamples(int job, ref float input, ref float output, int begin, int end, int part) => throw new NotSupportedException();

            public void RunInputRows(int job, ref float input, int begin, int end, int part)
            {
                if (begin < 0 || end > Copied.Length || begin >= end) Interlocked.Increment(ref BadRanges);
                for (int row = begin; row < end; row++) Copied[row] += System.Runtime.CompilerServices.Unsafe.Add(ref input, row) + job;
            }
        }

        [Theory]
        [InlineData(2)]
        [InlineData(4)]
        public void InputRows_SeeTheCallersInput_EachRowOnce(int threads)
        {
            using var team = new ParallelWorkers(threads, 50, "team-test");
            foreach (int rows in new[] { 1, 2, 7, 56, 224 })
            {
                float[] input = new float[rows];
                for (int i = 0; i < rows; i++) input[i] = 1000f * i;
                var body = new InputRowBody { Copied = new float[rows] };
                const int jobs = 20;
                for (int job = 0; job < jobs; job++) team.RunInputRows(body, 3, input, rows, chunksPerThread: 4);
                Assert.Equal(0, body.BadRanges);
                Assert.Equal(0, body.RowJobs); // never routed to RunRows
                for (int row = 0; row < rows; row++)
                    Assert.Equal(jobs * (input[row] + 3), body.Copied[row]);
            }
            // A later plain row job gets no input pointer: it goes to RunRows again.
            var after = new InputRowBody { Copied = new float[8] };
            team.RunRows(after, 0, 8, 4);
            Assert.True(after.RowJobs > 0);
            Assert.All(after.Copied, v => Assert.Equal(0f, v));
        }

        [Fact]
        public void InputRows_RejectAnEmptyInput_AndBodiesWithoutInputJobsSayWhy()
        {
            using var team = new ParallelWorkers(2, 50, "team-test");
            Assert.Throws<ArgumentException>(() => team.RunInputRows(new InputRowBody(), 0, ReadOnlySpan<float>.Empty, 4, 4));
            // A body compiled before input-row jobs existed (only RunRows and RunSamples): the default member throws, and the
            // failure reaches the caller as for any failing job.
            var e = Assert.ThrowsAny<Exception>(() => team.RunInputRows(new EmptyBody(), 7, new float[4], 4, 4));
            Assert.Contains("no input-row jobs (job 7)", e.ToString());
        }

        /// <summary>Writes output[row] for each row it is given (through the pointer the team passes); input-row jobs must not reach it.</summary>
        private sealed class OutputRowBody : IParallelBody
        {
            public int Rows, RowJobs, InputJobs, BadRanges;

            public void RunRows(int job, int begin, int end, int part) => Interlocked.Increment(ref RowJobs);

            public void RunSamples(int job, ref float input, ref float output, int begin, int end, int part) => throw new NotSupportedException();

            public void RunInputRows(int job, ref float input, int begin, int end, int part) => Interlocked.Increment(ref InputJobs);

            public void RunOutputRows(int job, ref float output, int begin, int end, int part)
            {
                if (begin < 0 || end > Rows || begin >= end) Interlocked.Increment(ref BadRanges);
                for (int row = begin; row < end; row++) System.Runtime.CompilerServices.Unsafe.Add(ref output, row) += 1000f * row + job;
            }
        }

        [Theory]
        [InlineData(2)]
        [InlineData(3)]
        [InlineData(4)]
        public void OutputRows_WriteTheCallersOutput_EachRowOnce(int threads)
        {
            using var team = new ParallelWorkers(threads, 50, "team-test");
            foreach (int rows in new[] { 1, 2, 7, 56, 224 })
            {
                float[] output = new float[rows + 1];
                output[rows] = -1f; // past the span the team is given: never written
                var body = new OutputRowBody { Rows = rows };
                const int jobs = 20;
                for (int job = 0; job < jobs; job++) team.RunOutputRows(body, 5, output.AsSpan(0, rows), rows, chunksPerThread: 4);
                Assert.Equal((0, 0, 0), (body.BadRanges, body.RowJobs, body.InputJobs)); // only ever routed to RunOutputRows
                for (int row = 0; row < rows; row++)
                    Assert.Equal(jobs * (1000f * row + 5), output[row]);
                Assert.Equal(-1f, output[rows]);
            }
            // A later plain row job gets no output pointer: it goes to RunRows again.
            var after = new OutputRowBody { Rows = 8 };
            team.RunRows(after, 0, 8, 4);
            Assert.True(after.RowJobs > 0);
        }

        [Fact]
        public void OutputRows_RejectAnEmptyOutput_AndBodiesWithoutOutputJobsSayWhy()
        {
            using var team = new ParallelWorkers(2, 50, "team-test");
            Assert.Throws<ArgumentException>(() => team.RunOutputRows(new OutputRowBody(), 0, Span<float>.Empty, 4, 4));
            var e = Assert.ThrowsAny<Exception>(() => team.RunOutputRows(new EmptyBody(), 9, new float[4], 4, 4));
            Assert.Contains("no output-row jobs (job 9)", e.ToString());
        }

        /// <summary>
        /// The worker blocks in its first chunk until the caller has run every other unit. With fixed shares the caller would
        /// stop after its own half and the two would wait for each other (the worker gives up after 10 s, and the test fails);
        /// taking over the held-back thread's share, the caller runs 7 of the 8 units.
        /// </summary>
        [Fact]
        public void AHeldBackThread_HasItsShareTakenOver()
        {
            using var team = new ParallelWorkers(2, 50, "team-test");
            var body = new HoldingBody(units: 8);
            team.RunRows(body, 0, 8, chunksPerThread: 4); // grain 1: 8 chunks
            Assert.False(body.TimedOut, "the worker waited 10 s for the caller to take over its share");
            Assert.All(body.Runs, runs => Assert.Equal(1, runs));
            Assert.True(body.CallerUnits >= 7, $"the caller ran {body.CallerUnits} of 8 units");
        }

        private sealed class HoldingBody : IParallelBody
        {
            private readonly ManualResetEventSlim _othersDone = new ManualResetEventSlim(false);
            private readonly int _units;
            public readonly int[] Runs;
            public int CallerUnits;
            public bool TimedOut;

            public HoldingBody(int units)
            {
                _units = units;
                Runs = new int[units];
            }

            public void RunRows(int job, int begin, int end, int part)
            {
                for (int u = begin; u < end; u++) Interlocked.Increment(ref Runs[u]);
                if (part == 0)
                {
                    if ((CallerUnits += end - begin) >= _units - 1) _othersDone.Set();
                }
                else if (!_othersDone.Wait(TimeSpan.FromSeconds(10)))
                    TimedOut = true;
            }

            public void RunSamples(int job, ref float input, ref float output, int begin, int end, int part) => throw new NotSupportedException();
        }

        private sealed class ThrowingBody : IParallelBody
        {
            public int ThrowOnPart;

            public void RunRows(int job, int begin, int end, int part)
            {
                if (part == ThrowOnPart) throw new ArithmeticException($"unit {begin} failed");
                // The others work a little, so the worker (which may have to wake up first) claims chunks before the
                // caller, done with its own share, takes over the worker's.
                var clock = System.Diagnostics.Stopwatch.StartNew();
                while (clock.Elapsed.TotalMicroseconds < 20) Thread.SpinWait(10);
            }

            public void RunSamples(int job, ref float input, ref float output, int begin, int end, int part) => throw new NotSupportedException();
        }

        [Fact]
        public void Failures_ReachTheCaller_AndTheTeamKeepsWorking()
        {
            using var team = new ParallelWorkers(2, 50, "team-test");
            // The caller's own failure comes through as it is.
            Assert.Throws<ArithmeticException>(() => team.RunRows(new ThrowingBody { ThrowOnPart = 0 }, 0, 64, 4));
            // A worker's failure is wrapped, naming what happened, if the worker ran any chunk (it may find none left).
            var body = new CountingBody { Runs = new int[64], Units = 64 };
            bool wrapped = false;
            for (int attempt = 0; attempt < 2_000 && !wrapped; attempt++)
            {
                try
                {
                    team.RunRows(new ThrowingBody { ThrowOnPart = 1 }, 0, 64, 4);
                }
                catch (InvalidOperationException e)
                {
                    Assert.Contains("worker thread failed", e.Message);
                    Assert.IsType<ArithmeticException>(e.InnerException);
                    wrapped = true;
                }
            }
            Assert.True(wrapped, "in 2,000 jobs the worker never ran a chunk");
            // The team still runs every unit once afterwards.
            team.RunRows(body, 0, 64, 4);
            Assert.All(body.Runs, runs => Assert.Equal(1, runs));
        }

        private sealed class EmptyBody : IParallelBody
        {
            public void RunRows(int job, int begin, int end, int part) { }
            public void RunSamples(int job, ref float input, ref float output, int begin, int end, int part) { }
        }

        [Fact]
        public void Jobs_AllocateNothing()
        {
            using var team = new ParallelWorkers(3, 50, "team-test");
            var body = new EmptyBody();
            float[] input = new float[4], output = new float[4];
            for (int i = 0; i < 100; i++) team.RunRows(body, 0, 37, 4);
            Assert.Equal(0, FusedNet.Tests.Harness.AllocationMeter.LeastBytes(() =>
            {
                for (int i = 0; i < 1000; i++)
                {
                    team.RunRows(body, 0, 37, 4);
                    team.RunSamples(body, 1, input, output, 4);
                }
            }));
        }

        [Fact]
        public void ZeroUnits_ReturnsAtOnce_AndDisposedTeamsRefuseJobs()
        {
            var team = new ParallelWorkers(2, 50, "team-test");
            team.RunRows(new ThrowingBody { ThrowOnPart = 0 }, 0, 0, 4); // nothing to run, nothing thrown
            team.Dispose();
            Assert.Throws<ObjectDisposedException>(() => team.RunRows(new EmptyBody(), 0, 4, 4));
        }
    }
}

namespace FusedNet.Tests.EndToEnd
{
    /// <summary>
    /// CpuPlacement.MoveOff: restricting the thread to the other CPUs succeeds (the kernel then migrates it before the call
    /// returns), and the thread is not left pinned. Where it runs afterwards is not asserted: with the full mask back, the
    /// scheduler may move it again at once (seen in CI with tests running on both cores).
    /// </summary>
    public class CpuPlacementTests
    {
        [Fact]
        public void MoveOff_Succeeds_AndRestoresTheAffinity()
        {
            if (!OperatingSystem.IsLinux() || Environment.ProcessorCount < 2) return; // a no-op elsewhere, tested below
            string? failure = null;
            var thread = new Thread(() =>
            {
                int allowed = FusedNet.Internal.CpuPlacement.AllowedCpuCount();
                if (allowed < 2) return; // a test runner pinned to one CPU: nothing to move to
                int cpu = Thread.GetCurrentProcessorId();
                if (!FusedNet.Internal.CpuPlacement.MoveOff(cpu)) failure = $"MoveOff({cpu}) did not restrict the thread to the other CPUs";
                else if (FusedNet.Internal.CpuPlacement.AllowedCpuCount() != allowed)
                    failure = $"the thread may run on {FusedNet.Internal.CpuPlacement.AllowedCpuCount()} CPUs after MoveOff, {allowed} before: left pinned";
            });
            thread.Start();
            thread.Join();
            Assert.Null(failure);
        }

        [Fact]
        public void MoveOff_AnImpossibleCpu_DoesNothing()
        {
            Assert.False(FusedNet.Internal.CpuPlacement.MoveOff(-1));
            Assert.False(FusedNet.Internal.CpuPlacement.MoveOff(1 << 20));
        }
    }
}
