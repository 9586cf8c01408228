using System;

namespace FusedNet.Tests.EndToEnd
{
    /// <summary>DESIGN §6: Forward and ForwardUnfused allocate nothing on the managed heap, single and batch.</summary>
    public class ZeroAllocationTests
    {
        private static void AssertNoAllocation(IFusedNetwork net, int batch)
        {
            float[] input = RandomWeights.RandomInput(net.InputLength * batch, seed: 7);
            float[] output = new float[net.OutputLength * batch];
            // Warm up: tiered JIT, static constructors, first-call stubs.
            for (int i = 0; i < 3; i++)
            {
                net.Forward(input, output, batch);
                net.ForwardUnfused(input, output, batch);
                net.Forward(input.AsSpan(0, net.InputLength), output.AsSpan(0, net.OutputLength));
                net.ForwardUnfused(input.AsSpan(0, net.InputLength), output.AsSpan(0, net.OutputLength));
            }

            long allocated = FusedNet.Tests.Harness.AllocationMeter.LeastBytes(() =>
            {
                for (int i = 0; i < 50; i++)
                {
                    net.Forward(input, output, batch);
                    net.ForwardUnfused(input, output, batch);
                    net.Forward(input.AsSpan(0, net.InputLength), output.AsSpan(0, net.OutputLength));
                    net.ForwardUnfused(input.AsSpan(0, net.InputLength), output.AsSpan(0, net.OutputLength));
                }
            });
            Assert.True(allocated == 0, $"{net.GetType().Name}: {allocated} bytes allocated by 200 inferences");
        }

        [Fact]
        public void SeqBasic_AllocatesNothing() => AssertNoAllocation(new SeqBasic(RandomWeights.Create(SeqBasic.ExpectedWeights, 1)), batch: 3);

        [Fact]
        public void SeqActs_AllocatesNothing() => AssertNoAllocation(new SeqActs(RandomWeights.Create(SeqActs.ExpectedWeights, 1)), batch: 3);

        [Fact]
        public void SeqGroups_AllocatesNothing() => AssertNoAllocation(new SeqGroups(RandomWeights.Create(SeqGroups.ExpectedWeights, 1)), batch: 3);

        [Fact]
        public void SeqStandaloneBn_AllocatesNothing() => AssertNoAllocation(new SeqStandaloneBn(RandomWeights.Create(SeqStandaloneBn.ExpectedWeights, 1)), batch: 3);

        [Fact]
        public void ClonesShareWeightsAndAllocateNothing()
        {
            var net = new SeqBasic(RandomWeights.Create(SeqBasic.ExpectedWeights, 1));
            SeqBasic clone = net.CloneForThread();
            AssertNoAllocation(clone, batch: 2);
            float[] input = RandomWeights.RandomInput(SeqBasic.InputLength, seed: 3);
            float[] a = new float[SeqBasic.OutputLength], b = new float[SeqBasic.OutputLength];
            net.Forward(input, a);
            clone.Forward(input, b);
            Assert.Equal(a, b);
        }
    }
}
