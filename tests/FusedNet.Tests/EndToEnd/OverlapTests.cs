using System;
using System.Linq;

namespace FusedNet.Tests.EndToEnd
{
    /// <summary>
    /// Input and output must not share memory, for any batch size (issue 7, item 1): with batch ≥ 2 sample n's
    /// output would overwrite sample n+1's input before it is copied in. Forward and ForwardUnfused (both overloads)
    /// throw ArgumentException naming the network and the parameter; disjoint slices of one array still work.
    /// </summary>
    public class OverlapTests
    {
        private const int In = SeqBasic.InputLength, Out = SeqBasic.OutputLength; // 768, 10
        private static readonly SeqBasic Net = new(RandomWeights.Create(SeqBasic.ExpectedWeights, 21));

        private delegate void Run(ReadOnlySpan<float> input, Span<float> output, int batch);

        /// <summary>Forward and ForwardUnfused, each through the batch overload and (for batch 1) the one-sample overload.</summary>
        private static (string Name, Run Run)[] Entries(int batch)
        {
            var entries = new (string, Run)[]
            {
                ("Forward(batch)", (i, o, b) => Net.Forward(i, o, b)),
                ("ForwardUnfused(batch)", (i, o, b) => Net.ForwardUnfused(i, o, b)),
            };
            if (batch != 1) return entries;
            return entries.Concat(new (string, Run)[]
            {
                ("Forward", (i, o, _) => Net.Forward(i, o)),
                ("ForwardUnfused", (i, o, _) => Net.ForwardUnfused(i, o)),
            }).ToArray();
        }

        [Theory]
        [InlineData(1, 0, 0)]               // same start
        [InlineData(1, 0, In - 1)]          // output starts on the input's last element
        [InlineData(1, Out - 1, 0)]         // input starts on the output's last element
        [InlineData(3, 0, In + 5)]          // output inside the second sample's input
        [InlineData(3, 0, 3 * In - 1)]      // only one element shared
        [InlineData(3, 3 * Out - 1, 0)]     // the other way round
        public void OverlappingSpans_Throw(int batch, int inputStart, int outputStart)
        {
            float[] buffer = RandomWeights.RandomInput(Math.Max(inputStart + batch * In, outputStart + batch * Out), seed: 4);
            float[] before = (float[])buffer.Clone();
            foreach ((string name, Run run) in Entries(batch))
            {
                var error = Assert.Throws<ArgumentException>(() =>
                    run(buffer.AsSpan(inputStart, batch * In), buffer.AsSpan(outputStart, batch * Out), batch));
                Assert.Equal("output", error.ParamName);
                Assert.StartsWith("SeqBasic: input and output overlap in memory", error.Message);
                Assert.True(before.AsSpan().SequenceEqual(buffer), $"{name} changed the buffer before throwing");
            }
        }

        [Theory]
        [InlineData(1, false)]
        [InlineData(3, false)]
        [InlineData(3, true)]
        public void AdjacentSlicesOfOneArray_GiveTheSeparateArrayResults(int batch, bool outputFirst)
        {
            float[] input = RandomWeights.RandomInput(batch * In, seed: 5);
            float[] expectedFused = new float[batch * Out], expectedUnfused = new float[batch * Out];
            Net.Forward(input, expectedFused, batch);
            Net.ForwardUnfused(input, expectedUnfused, batch);

            // One array: [input][output] or [output][input], touching but not sharing an element.
            float[] buffer = new float[batch * (In + Out)];
            int inputStart = outputFirst ? batch * Out : 0, outputStart = outputFirst ? 0 : batch * In;
            input.CopyTo(buffer, inputStart);
            Span<float> output = buffer.AsSpan(outputStart, batch * Out);

            Net.Forward(buffer.AsSpan(inputStart, batch * In), output, batch);
            Assert.Equal(expectedFused, output.ToArray());
            output.Clear();
            Net.ForwardUnfused(buffer.AsSpan(inputStart, batch * In), output, batch);
            Assert.Equal(expectedUnfused, output.ToArray());
            Assert.Equal(input, buffer.AsSpan(inputStart, batch * In).ToArray()); // the input is read, never written
        }
    }
}
