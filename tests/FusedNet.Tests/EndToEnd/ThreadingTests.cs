using System;
using System.Linq;
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
    }
}
