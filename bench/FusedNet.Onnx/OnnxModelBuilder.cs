using System;
using System.Buffers.Binary;
using System.Collections.Generic;

namespace FusedNet.Onnx
{
    /// <summary>One node attribute: an int, a float, a string or a list of ints (all the graphs here need).</summary>
    public sealed class OnnxAttribute
    {
        // AttributeProto.AttributeType values from onnx.proto.
        private const int TypeFloat = 1;
        private const int TypeInt = 2;
        private const int TypeString = 3;
        private const int TypeInts = 7;

        private OnnxAttribute(string name, int type, long intValue = 0, float floatValue = 0, long[]? intsValue = null, string stringValue = "")
        {
            Name = name;
            Type = type;
            IntValue = intValue;
            FloatValue = floatValue;
            IntsValue = intsValue ?? Array.Empty<long>();
            StringValue = stringValue;
        }

        public string Name { get; }
        private int Type { get; }
        private long IntValue { get; }
        private float FloatValue { get; }
        private long[] IntsValue { get; }
        private string StringValue { get; }

        public static OnnxAttribute Int(string name, long value) => new OnnxAttribute(name, TypeInt, intValue: value);
        public static OnnxAttribute Float(string name, float value) => new OnnxAttribute(name, TypeFloat, floatValue: value);
        public static OnnxAttribute Ints(string name, params long[] values) => new OnnxAttribute(name, TypeInts, intsValue: values);
        public static OnnxAttribute String(string name, string value) => new OnnxAttribute(name, TypeString, stringValue: value);

        /// <summary>AttributeProto: name = 1, f = 2, i = 3, s = 4 (bytes, UTF-8), ints = 8, type = 20.</summary>
        public void WriteTo(ProtobufWriter w)
        {
            w.WriteString(1, Name);
            w.WriteInt64(20, Type);
            switch (Type)
            {
                case TypeFloat: w.WriteFloat(2, FloatValue); break;
                case TypeInt: w.WriteInt64(3, IntValue); break;
                case TypeString: w.WriteString(4, StringValue); break;
                default: foreach (long v in IntsValue) w.WriteInt64(8, v); break;
            }
        }
    }

    /// <summary>
    /// Collects a single-graph ONNX model (float32 tensors; int64 only for constant shapes) and serialises it as a ModelProto:
    /// IR version 9, default-domain opset 20 (the first with Gelu, whose approximate attribute gives both of
    /// PyTorch's forms; HardSwish is opset 14). Field numbers are those of onnx/onnx.proto.
    /// </summary>
    public sealed class OnnxModelBuilder
    {
        public const long IrVersion = 9;   // opset 20 needs IR version 9 (ONNX 1.15)
        public const long OpsetVersion = 20;
        private const int ElementTypeFloat = 1; // TensorProto.DataType.FLOAT
        private const int ElementTypeInt64 = 7; // TensorProto.DataType.INT64

        private readonly string _graphName;
        private readonly List<(string Name, long[] Dims)> _inputs = new();
        private readonly List<(string Name, long[] Dims)> _outputs = new();
        private readonly List<(string Name, long[] Dims, int DataType, byte[] RawData)> _initializers = new();
        private readonly List<(string OpType, string Name, string[] Inputs, string Output, OnnxAttribute[] Attributes)> _nodes = new();
        private readonly HashSet<string> _initializerNames = new();

        public OnnxModelBuilder(string graphName) => _graphName = graphName;

        public void AddInput(string name, params long[] dims) => _inputs.Add((name, dims));

        public void AddOutput(string name, params long[] dims) => _outputs.Add((name, dims));

        /// <summary>A constant tensor; <paramref name="dims"/> empty means a scalar (0-d) tensor.</summary>
        public void AddInitializer(string name, long[] dims, ReadOnlySpan<float> values)
        {
            long count = 1;
            foreach (long d in dims) count *= d;
            if (count != values.Length)
                throw new ArgumentException($"Initializer '{name}': shape [{string.Join(", ", dims)}] holds {count} values, got {values.Length}.");
            if (!_initializerNames.Add(name))
                throw new ArgumentException($"Initializer '{name}' added twice.");

            // raw_data must be little-endian IEEE 754 floats.
            var raw = new byte[values.Length * sizeof(float)];
            for (int i = 0; i < values.Length; i++)
                BinaryPrimitives.WriteSingleLittleEndian(raw.AsSpan(i * sizeof(float)), values[i]);
            _initializers.Add((name, dims, ElementTypeFloat, raw));
        }

        /// <summary>A constant int64 tensor (e.g. the shape input of Reshape); <paramref name="dims"/> empty means a scalar.</summary>
        public void AddInt64Initializer(string name, long[] dims, ReadOnlySpan<long> values)
        {
            long count = 1;
            foreach (long d in dims) count *= d;
            if (count != values.Length)
                throw new ArgumentException($"Initializer '{name}': shape [{string.Join(", ", dims)}] holds {count} values, got {values.Length}.");
            if (!_initializerNames.Add(name))
                throw new ArgumentException($"Initializer '{name}' added twice.");
            var raw = new byte[values.Length * sizeof(long)];
            for (int i = 0; i < values.Length; i++)
                BinaryPrimitives.WriteInt64LittleEndian(raw.AsSpan(i * sizeof(long)), values[i]);
            _initializers.Add((name, dims, ElementTypeInt64, raw));
        }

        /// <summary>
        /// Adds a default-domain node with one output; an empty input name means "optional input omitted". The graph
        /// specs use, besides the single-input layers: Add (two same-shape tensors), Concat (attribute axis = 1:
        /// channels), Mul (a [1, C, 1, 1] scale broadcast over [1, C, H, W]) and Reshape (to make a flat scale [1, C, 1, 1]).
        /// </summary>
        public void AddNode(string opType, string name, string[] inputs, string output, params OnnxAttribute[] attributes) =>
            _nodes.Add((opType, name, inputs, output, attributes));

        /// <summary>Add: <paramref name="a"/> + <paramref name="b"/> elementwise (same shapes here: a residual connection).</summary>
        public void AddAddNode(string name, string a, string b, string output) => AddNode("Add", name, new[] { a, b }, output);

        /// <summary>Concat along axis 1 (channels of NCHW): the inputs' channels one after another, same H and W.</summary>
        public void AddConcatNode(string name, IReadOnlyList<string> inputs, string output) =>
            AddNode("Concat", name, System.Linq.Enumerable.ToArray(inputs), output, OnnxAttribute.Int("axis", 1));

        /// <summary>Mul: <paramref name="x"/> · <paramref name="scale"/> with numpy broadcasting (a [1, C, 1, 1] scale over [1, C, H, W]).</summary>
        public void AddMulNode(string name, string x, string scale, string output) => AddNode("Mul", name, new[] { x, scale }, output);

        public byte[] Build()
        {
            var model = new ProtobufWriter();
            model.WriteInt64(1, IrVersion);                 // ModelProto.ir_version
            model.WriteString(2, "FusedNet.Onnx");          // ModelProto.producer_name
            model.WriteMessage(7, WriteGraph);              // ModelProto.graph
            model.WriteMessage(8, opset =>                  // ModelProto.opset_import
            {
                opset.WriteString(1, "");                   // OperatorSetIdProto.domain: "" = ai.onnx
                opset.WriteInt64(2, OpsetVersion);          // OperatorSetIdProto.version
            });
            return model.ToArray();
        }

        private void WriteGraph(ProtobufWriter g)
        {
            foreach (var node in _nodes)
            {
                g.WriteMessage(1, n =>                                      // GraphProto.node
                {
                    foreach (string input in node.Inputs) n.WriteString(1, input); // NodeProto.input
                    n.WriteString(2, node.Output);                          // NodeProto.output
                    n.WriteString(3, node.Name);                            // NodeProto.name
                    n.WriteString(4, node.OpType);                          // NodeProto.op_type
                    foreach (OnnxAttribute a in node.Attributes) n.WriteMessage(5, a.WriteTo); // NodeProto.attribute
                });
            }
            g.WriteString(2, _graphName);                                   // GraphProto.name
            foreach (var init in _initializers)
            {
                g.WriteMessage(5, t =>                                      // GraphProto.initializer
                {
                    foreach (long d in init.Dims) t.WriteInt64(1, d);       // TensorProto.dims
                    t.WriteInt64(2, init.DataType);                         // TensorProto.data_type
                    t.WriteString(8, init.Name);                            // TensorProto.name
                    t.WriteBytes(9, init.RawData);                          // TensorProto.raw_data
                });
            }
            foreach (var input in _inputs) g.WriteMessage(11, v => WriteValueInfo(v, input.Name, input.Dims));   // GraphProto.input
            foreach (var output in _outputs) g.WriteMessage(12, v => WriteValueInfo(v, output.Name, output.Dims)); // GraphProto.output
        }

        /// <summary>ValueInfoProto{name = 1, type = 2} → TypeProto{tensor_type = 1} → {elem_type = 1, shape = 2} → dim = 1 → dim_value = 1.</summary>
        private static void WriteValueInfo(ProtobufWriter v, string name, long[] dims)
        {
            v.WriteString(1, name);
            v.WriteMessage(2, type => type.WriteMessage(1, tensor =>
            {
                tensor.WriteInt64(1, ElementTypeFloat);
                tensor.WriteMessage(2, shape =>
                {
                    foreach (long d in dims) shape.WriteMessage(1, dim => dim.WriteInt64(1, d));
                });
            }));
        }
    }
}
