using System;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace FusedNet.Bench.OnnxRuntime
{
    /// <summary>
    /// An ONNX Runtime session set up the fairest way for batch-1, single-thread inference: every graph
    /// optimisation on (ORT folds BN into Conv, fuses activations, picks its NCHWc kernels), one intra-op
    /// and one inter-op thread, sequential execution, and input/output tensors bound once through
    /// IOBinding over pinned arrays, so <see cref="Run"/> allocates nothing on the managed side.
    /// </summary>
    internal sealed class OrtNetworkSession : IDisposable
    {
        private readonly SessionOptions _options;
        private readonly InferenceSession _session;
        private readonly RunOptions _runOptions;
        private readonly OrtValue _inputValue;
        private readonly OrtValue _outputValue;
        private readonly OrtIoBinding _binding;

        public OrtNetworkSession(byte[] onnxModel, string inputName, long[] inputDims, string outputName, long[] outputDims)
        {
            _options = new SessionOptions
            {
                GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
                ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
                IntraOpNumThreads = 1,
                InterOpNumThreads = 1,
            };
            _session = new InferenceSession(onnxModel, _options);
            _runOptions = new RunOptions();

            Input = new float[ElementCount(inputDims)];
            Output = new float[ElementCount(outputDims)];
            // These OrtValues pin the arrays for their lifetime; ORT reads Input and writes Output in place.
            _inputValue = OrtValue.CreateTensorValueFromMemory(Input, inputDims);
            _outputValue = OrtValue.CreateTensorValueFromMemory(Output, outputDims);

            _binding = _session.CreateIoBinding();
            _binding.BindInput(inputName, _inputValue);
            _binding.BindOutput(outputName, _outputValue);
            _binding.SynchronizeBoundInputs();
        }

        /// <summary>The bound input: write the sample here before <see cref="Run"/>.</summary>
        public float[] Input { get; }

        /// <summary>The bound output, filled by <see cref="Run"/>.</summary>
        public float[] Output { get; }

        /// <summary>One inference from <see cref="Input"/> into <see cref="Output"/>.</summary>
        public void Run() => _session.RunWithBinding(_runOptions, _binding);

        private static int ElementCount(long[] dims)
        {
            long count = 1;
            foreach (long d in dims) count *= d;
            return checked((int)count);
        }

        public void Dispose()
        {
            _binding.Dispose();
            _inputValue.Dispose();
            _outputValue.Dispose();
            _runOptions.Dispose();
            _session.Dispose();
            _options.Dispose();
        }
    }
}
