using System;
using FusedNet;
using FusedNet.Onnx;
using FusedNet.Onnx.Specs;

namespace Latency
{
    /// <summary>One way of running one inference; the timing loop only ever calls <see cref="Infer"/>.</summary>
    internal abstract class InferenceEngine : IDisposable
    {
        protected InferenceEngine(string name) => Name = name;

        public string Name { get; }

        /// <summary>One inference of the prepared input into the prepared output. Must not allocate.</summary>
        public abstract void Infer();

        /// <summary>The output of the last <see cref="Infer"/>.</summary>
        public abstract ReadOnlySpan<float> Output { get; }

        public virtual void Dispose() { }
    }

    /// <summary>FusedNet's fused path: the generated Forward over arrays allocated once.</summary>
    internal sealed class FusedNetEngine : InferenceEngine
    {
        private readonly IFusedNetwork _network;
        private readonly float[] _input;
        private readonly float[] _output;

        public FusedNetEngine(IFusedNetwork network, float[] input) : base("FusedNet")
        {
            _network = network;
            _input = input;
            _output = new float[network.OutputLength];
        }

        public override void Infer() => _network.Forward(_input, _output);

        public override ReadOnlySpan<float> Output => _output;
    }

    /// <summary>
    /// ONNX Runtime set up as bench/FusedNet.Bench sets it up (OrtNetworkSession: every graph optimisation, one thread,
    /// sequential, IOBinding over preallocated native buffers), on the ONNX graph built from the same weights.
    /// </summary>
    internal sealed class OrtEngine : InferenceEngine
    {
        private readonly OrtNetworkSession _session;

        public OrtEngine(NetworkSpec spec, string graphName, IWeightSource weights, float[] input) : base("ORT")
        {
            byte[] model = spec.ToOnnxModel(graphName, weights);
            _session = new OrtNetworkSession(model,
                NetworkSpec.OnnxInputName, LayerSpec.BatchDims(spec.InputShape),
                NetworkSpec.OnnxOutputName, LayerSpec.BatchDims(spec.OutputShape));
            input.CopyTo(_session.Input);
        }

        public override void Infer() => _session.Run();

        public override ReadOnlySpan<float> Output => _session.Output;

        public override void Dispose() => _session.Dispose();
    }
}
