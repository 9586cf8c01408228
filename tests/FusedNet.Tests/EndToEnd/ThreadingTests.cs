using System;
using System.Diagnostics;
using System.Linq;
using System.Reflection;
using System.Threading;
using System.Threading.Tasks;

namespace FusedNet.Tests.EndToEnd
{
    /// <summary>DESIGN §6: threads share one folded weight set, each with its own scratch (CloneForThread).</summary>
    public class ThreadingTests
    {
        [Fact]
        public void ClonesOnParallelThreadsGiveTheSingleThreadedResults()
        {
            var net = new SeqActs(RandomWeights.Create(SeqActs.ExpectedWeights, 11));
            const int samples = 16;
            float[] inputs = RandomWeights.RandomInput(samples * SeqActs.InputLength, seed: 12);
            float[] expected = new float[samples * SeqActs.OutputLength];
            net.Forward(inputs, expected, samples);

            float[] actual = new float[expected.Length];
            Array.Fill(actual, float.NaN);
            SeqActs[] clones = Enumerable.Range(0, 4).Select(_ => net.CloneForThread()).ToArray();
            Parallel.For(0, clones.Length, new ParallelOptions { MaxDegreeOfParallelism = clones.Length }, t =>
            {
                for (int round = 0; round < 50; round++)
                    for (int n = t; n < samples; n += clones.Length)
                        clones[t].Forward(inputs.AsSpan(n * SeqActs.InputLength, SeqActs.InputLength),
                            actual.AsSpan(n * SeqActs.OutputLength, SeqActs.OutputLength));
            });

            // Same weights, same kernels, same order of operations: bit-identical.
            Assert.Equal(expected, actual);
        }

        private const string BusyMessage = "Forward or ForwardUnfused is already running on this instance in another thread. " +
            "An instance runs one inference at a time (it owns its scratch buffers); give each thread its own instance from CloneForThread().";

        [Fact]
        public async Task ConcurrentCallsOnOneInstance_ThrowInvalidOperation_AndNeverReturnAWrongResult()
        {
            // A real race: two threads call one instance in a tight loop, one Forward and one ForwardUnfused (they share the
            // scratch, so one flag covers both). Each call lasts far longer than the flag's compare-exchange, so the threads
            // collide within milliseconds, whether they run on two cores or take turns on one. Until then, and after, every
            // call that did not throw must return exactly the single-threaded result.
            var net = new SeqActs(RandomWeights.Create(SeqActs.ExpectedWeights, 11));
            const int batch = 4;
            float[] input = RandomWeights.RandomInput(batch * SeqActs.InputLength, seed: 13);
            float[][] expected = [new float[batch * SeqActs.OutputLength], new float[batch * SeqActs.OutputLength]];
            net.Forward(input, expected[0], batch);
            net.ForwardUnfused(input, expected[1], batch);

            int[] collisions = new int[2], wrong = new int[2], completed = new int[2];
            string?[] messages = new string?[2];
            var deadline = Stopwatch.StartNew();
            using var start = new Barrier(2);
            // Both threads stop on the same monotonic condition: each refused at least once and each with 20 results
            // checked (or 20 s passed: the assertions then fail).
            bool Done() => deadline.Elapsed > TimeSpan.FromSeconds(20) ||
                (Volatile.Read(ref collisions[0]) > 0 && Volatile.Read(ref collisions[1]) > 0 &&
                 Volatile.Read(ref completed[0]) >= 20 && Volatile.Read(ref completed[1]) >= 20);
            void Caller(int t)
            {
                float[] output = new float[batch * SeqActs.OutputLength];
                start.SignalAndWait();
                while (!Done())
                {
                    Array.Fill(output, float.NaN);
                    try
                    {
                        if (t == 0) net.Forward(input, output, batch); else net.ForwardUnfused(input, output, batch);
                    }
                    catch (InvalidOperationException e)
                    {
                        Interlocked.Increment(ref collisions[t]);
                        messages[t] = e.Message;
                        continue;
                    }
                    Interlocked.Increment(ref completed[t]);
                    if (!output.AsSpan().SequenceEqual(expected[t])) wrong[t]++;
                }
            }
            Task[] callers = [Task.Factory.StartNew(() => Caller(0), TaskCreationOptions.LongRunning), Task.Factory.StartNew(() => Caller(1), TaskCreationOptions.LongRunning)];
            await Task.WhenAll(callers);

            Assert.True(collisions[0] > 0 && collisions[1] > 0,
                $"no InvalidOperationException in {deadline.Elapsed.TotalSeconds:F1} s: Forward refused {collisions[0]} times, ForwardUnfused {collisions[1]} times");
            Assert.Equal(0, wrong[0] + wrong[1]);
            Assert.True(completed[0] > 0 && completed[1] > 0);
            Assert.All(messages, m => Assert.Equal("SeqActs: " + BusyMessage, m));
            // The flag is released after every call, refused or not: the instance works normally again.
            float[] after = new float[batch * SeqActs.OutputLength];
            net.Forward(input, after, batch);
            Assert.Equal(expected[0], after);
        }

        /// <summary>The generated busy flag (white box: the test holds it as a call on another thread would).</summary>
        private static FieldInfo BusyFlag() =>
            typeof(SeqBasic).GetField("_busy", BindingFlags.Instance | BindingFlags.NonPublic)
            ?? throw new InvalidOperationException("SeqBasic has no _busy field");

        [Fact]
        public void WhileAnotherCallHoldsTheInstance_EveryEntryPointThrows_AndTouchesNothing()
        {
            var net = new SeqBasic(RandomWeights.Create(SeqBasic.ExpectedWeights, 11));
            float[] input = RandomWeights.RandomInput(2 * SeqBasic.InputLength, seed: 3);
            float[] output = Enumerable.Repeat(42f, 2 * SeqBasic.OutputLength).ToArray();
            var calls = new (string Name, Action Call)[]
            {
                ("Forward", () => net.Forward(input.AsSpan(0, SeqBasic.InputLength), output.AsSpan(0, SeqBasic.OutputLength))),
                ("Forward(batch)", () => net.Forward(input, output, 2)),
                ("ForwardUnfused", () => net.ForwardUnfused(input.AsSpan(0, SeqBasic.InputLength), output.AsSpan(0, SeqBasic.OutputLength))),
                ("ForwardUnfused(batch)", () => net.ForwardUnfused(input, output, 2)),
            };

            BusyFlag().SetValue(net, 1);
            foreach ((string name, Action call) in calls)
            {
                var error = Assert.Throws<InvalidOperationException>(call);
                Assert.Equal("SeqBasic: " + BusyMessage, error.Message);
                Assert.All(output, v => Assert.Equal(42f, v));
            }

            // A clone has its own flag (and scratch): it runs while the original is held.
            SeqBasic clone = net.CloneForThread();
            float[] fromClone = new float[output.Length];
            clone.Forward(input, fromClone, 2);
            Assert.Equal(0, BusyFlag().GetValue(clone));

            // Released, the original runs every entry point again, with the clone's (bit-identical) result.
            BusyFlag().SetValue(net, 0);
            foreach ((string name, Action call) in calls) call();
            float[] again = new float[output.Length];
            net.Forward(input, again, 2);
            Assert.Equal(fromClone, again);
            Assert.Equal(0, BusyFlag().GetValue(net));
        }

        [Fact]
        public void ArgumentErrors_DoNotLeaveTheInstanceBusy()
        {
            var net = new SeqBasic(RandomWeights.Create(SeqBasic.ExpectedWeights, 11));
            float[] buffer = new float[SeqBasic.InputLength + SeqBasic.OutputLength];
            Assert.ThrowsAny<ArgumentException>(() => net.Forward(new float[5], new float[SeqBasic.OutputLength]));
            Assert.ThrowsAny<ArgumentException>(() => net.Forward(buffer.AsSpan(0, SeqBasic.InputLength), buffer.AsSpan(1, SeqBasic.OutputLength)));
            Assert.Throws<ArgumentOutOfRangeException>(() => net.ForwardUnfused(new float[SeqBasic.InputLength], new float[SeqBasic.OutputLength], 0));
            Assert.Equal(0, BusyFlag().GetValue(net));
            net.Forward(new float[SeqBasic.InputLength], new float[SeqBasic.OutputLength]);
        }
    }
}
