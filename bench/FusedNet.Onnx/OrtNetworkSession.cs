using System;
using System.Runtime.InteropServices;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace FusedNet.Onnx
{
    /// <summary>
    /// An ONNX Runtime session set up the fairest way for batch-1, single-thread inference: by default every
    /// graph optimisation on (ORT folds BN into Conv, fuses activations, picks its NCHWc kernels), one intra-op
    /// and one inter-op thread, sequential execution, and input/output tensors bound once through
    /// IOBinding over preallocated 64-byte-aligned native buffers (as a native caller would pass), so
    /// <see cref="Run"/> allocates nothing on the managed side. The benchmarks use the default; the test
    /// suite's oracle passes <see cref="GraphOptimizationLevel.ORT_DISABLE_ALL"/> so ORT runs each node as written
    /// (docs/testing.md).
    /// </summary>
    public sealed unsafe class OrtNetworkSession : IDisposable
    {
        private const int BufferAlignment = 64; // one cache line, one Vector512
        private readonly SessionOptions _options;
        private readonly InferenceSession _session;
        private readonly RunOptions _runOptions;
        private readonly OrtValue _inputValue;
        private readonly OrtValue _outputValue;
        private readonly OrtIoBinding _binding;
        private readonly float* _input;
        private readonly float* _output;
        private readonly int _inputLength;
        private readonly int _outputLength;

        public OrtNetworkSession(byte[] onnxModel, string inputName, long[] inputDims, string outputName, long[] outputDims,
            GraphOptimizationLevel optimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL, int intraOpThreads = 1)
        {
            _options = new SessionOptions
            {
                GraphOptimizationLevel = optimizationLevel,
                ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
                // One thread unless a multi-thread row asks for more; ORT's own defaults otherwise (its workers spin while waiting).
                IntraOpNumThreads = intraOpThreads,
                InterOpNumThreads = 1,
            };
            _session = new InferenceSession(onnxModel, _options);
            _runOptions = new RunOptions();

            _inputLength = ElementCount(inputDims);
            _outputLength = ElementCount(outputDims);
            _input = AllocateZeroed(_inputLength);
            _output = AllocateZeroed(_outputLength);
            // The OrtValues wrap our buffers without copying: ORT reads Input and writes Output in place.
            _inputValue = OrtValue.CreateTensorValueWithData(OrtMemoryInfo.DefaultInstance, TensorElementType.Float,
                inputDims, (IntPtr)_input, (long)_inputLength * sizeof(float));
            _outputValue = OrtValue.CreateTensorValueWithData(OrtMemoryInfo.DefaultInstance, TensorElementType.Float,
                outputDims, (IntPtr)_output, (long)_outputLength * sizeof(float));

            _binding = _session.CreateIoBinding();
            _binding.BindInput(inputName, _inputValue);
            _binding.BindOutput(outputName, _outputValue);
            _binding.SynchronizeBoundInputs();
        }

        /// <summary>The bound input: write the sample here before <see cref="Run"/>.</summary>
        public Span<float> Input => new Span<float>(_input, _inputLength);

        /// <summary>The bound output, filled by <see cref="Run"/>.</summary>
        public ReadOnlySpan<float> Output => new ReadOnlySpan<float>(_output, _outputLength);

        /// <summary>One inference from <see cref="Input"/> into <see cref="Output"/>.</summary>
        public void Run() => _session.RunWithBinding(_runOptions, _binding);

        private static float* AllocateZeroed(int length)
        {
            var buffer = (float*)NativeMemory.AlignedAlloc((nuint)length * sizeof(float), BufferAlignment);
            new Span<float>(buffer, length).Clear();
            return buffer;
        }

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
            NativeMemory.AlignedFree(_input);
            NativeMemory.AlignedFree(_output);
        }
    }
}
