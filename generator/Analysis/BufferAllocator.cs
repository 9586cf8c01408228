using System.Collections.Generic;
using System.Linq;
using FusedNet.Generator.Helpers;
using FusedNet.Generator.Model;

namespace FusedNet.Generator.Analysis
{
    /// <summary>
    /// A tensor of one path before it has memory: its shape, the zero border its padded readers need and whether
    /// any step moves whole vectors of its channels.
    /// </summary>
    internal sealed class VirtualTensor
    {
        public VirtualTensor(string name, Shape shape)
        {
            Name = name;
            Shape = shape;
        }

        public string Name { get; }
        public Shape Shape { get; }
        public int Border { get; set; }
        public bool VectorChannels { get; set; }

        /// <summary>See <see cref="BufferPlan.BorderFillLayer"/>: −1 for a zero border.</summary>
        public int BorderFillLayer { get; set; } = -1;

        /// <summary>
        /// Buffers can be reused only between tensors of the same layout: the border (zeros, or a normalisation's fill
        /// values) then stays what it was written as at construction.
        /// </summary>
        public (Shape, int, int, int) Layout => (Shape, Border, new BufferPlan(Name, Shape, Border, VectorChannels).ChannelStride, BorderFillLayer);
    }

    /// <summary>One path's steps over virtual tensors (StepPlan buffer names are tensor names until allocation).</summary>
    internal sealed record VirtualPath(string Name, IReadOnlyList<StepPlan> Steps, IReadOnlyList<VirtualTensor> Tensors,
        string InputTensor, string OutputTensor);

    /// <summary>
    /// Maps the virtual tensors of each path to physical scratch buffers by liveness: a tensor holds a buffer from the
    /// step that first writes it to the last step that reads or writes it, then the buffer is free for a later tensor
    /// of the same layout. Only same-layout reuse is allowed because a buffer's zero border (the padding of the
    /// convolution reading it) is written once, at construction, and kernels only ever write the interior: a tensor
    /// with another shape or border would put data where a reader expects zeros. Both paths draw from one pool: they
    /// never run at the same time on an instance.
    /// </summary>
    internal sealed class BufferAllocator
    {
        private readonly List<BufferPlan> _buffers = new List<BufferPlan>();

        public IReadOnlyList<BufferPlan> Buffers => _buffers;

        public PathPlan Assign(VirtualPath path)
        {
            var tensors = path.Tensors.ToDictionary(t => t.Name);
            var lastUse = new Dictionary<string, int>();
            var firstWrite = new Dictionary<string, int>();
            for (int k = 0; k < path.Steps.Count; k++)
            {
                StepPlan step = path.Steps[k];
                foreach (string read in step.Reads) lastUse[read] = k;
                lastUse[step.Output] = k;
                if (!firstWrite.ContainsKey(step.Output)) firstWrite[step.Output] = k;
            }
            firstWrite[path.InputTensor] = -1;
            lastUse[path.OutputTensor] = path.Steps.Count; // copied out after the last step

            var free = new List<BufferPlan>(_buffers);
            var physical = new Dictionary<string, string>();
            void Take(string tensorName)
            {
                VirtualTensor tensor = tensors[tensorName];
                int match = free.FindIndex(b => (b.Shape, b.Border, b.ChannelStride, b.BorderFillLayer) == tensor.Layout);
                BufferPlan buffer;
                if (match >= 0)
                {
                    buffer = free[match];
                    free.RemoveAt(match);
                }
                else
                {
                    buffer = new BufferPlan("buffer" + _buffers.Count, tensor.Shape, tensor.Border, tensor.VectorChannels)
                    {
                        BorderFillLayer = tensor.BorderFillLayer,
                    };
                    _buffers.Add(buffer);
                }
                physical[tensorName] = buffer.Name;
            }
            void Release(int step)
            {
                foreach (KeyValuePair<string, int> use in lastUse.Where(u => u.Value == step && physical.ContainsKey(u.Key)))
                    free.Add(_buffers.First(b => b.Name == physical[use.Key]));
            }

            Take(path.InputTensor);
            for (int k = 0; k < path.Steps.Count; k++)
            {
                StepPlan step = path.Steps[k];
                // The output is taken before the step's dead inputs are released: a step never writes a buffer it reads,
                // unless it is planned in place (then output and input are the same tensor).
                if (!physical.ContainsKey(step.Output)) Take(step.Output);
                Release(k);
            }

            string Map(string tensor) => physical[tensor];
            var steps = path.Steps.Select(s => s with
            {
                Input = Map(s.Input),
                Output = Map(s.Output),
                SecondInput = s.SecondInput is null ? null : Map(s.SecondInput),
                InputScale = s.InputScale is null ? null : Map(s.InputScale),
            });
            return new PathPlan(path.Name, Map(path.InputTensor), steps.ToEquatableArray(), Map(path.OutputTensor));
        }
    }
}
