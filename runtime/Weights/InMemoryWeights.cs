using System;
using System.Collections.Generic;
using System.IO;

namespace FusedNet
{
    /// <summary>
    /// Float32 weights built in code, by PyTorch state_dict name. Values are stored as copies: changing an
    /// array after <see cref="Add"/> or <see cref="Set"/> does not change the stored tensor.
    /// </summary>
    public sealed class InMemoryWeights : IWeightSource
    {
        private readonly Dictionary<string, Tensor> _tensors = new(StringComparer.Ordinal);
        private readonly List<string> _order = new();

        /// <summary>An empty set of tensors; fill it with <see cref="Add"/> or <see cref="Set"/>.</summary>
        public InMemoryWeights()
        {
            TensorNames = _order.AsReadOnly();
        }

        /// <summary>Names in the order they were first added.</summary>
        public IReadOnlyCollection<string> TensorNames { get; }

        /// <summary>Number of stored tensors.</summary>
        public int Count => _order.Count;

        /// <summary>
        /// Adds a copy of <paramref name="values"/> as tensor <paramref name="name"/> with <paramref name="shape"/>
        /// (an empty shape is a 0-dim tensor holding one value).
        /// </summary>
        /// <exception cref="ArgumentException">The name exists, or the value count is not the product of the shape.</exception>
        public void Add(string name, float[] values, params int[] shape)
        {
            Tensor tensor = CreateTensor(name, values, shape);
            if (_tensors.ContainsKey(name))
                throw new ArgumentException($"Tensor '{name}' already exists; use Set to replace it.", nameof(name));
            _tensors.Add(name, tensor);
            _order.Add(name);
        }

        /// <summary>Adds or replaces tensor <paramref name="name"/> (a replaced tensor keeps its position).</summary>
        public void Set(string name, float[] values, params int[] shape)
        {
            Tensor tensor = CreateTensor(name, values, shape);
            if (!_tensors.ContainsKey(name))
                _order.Add(name);
            _tensors[name] = tensor;
        }

        /// <summary>Removes tensor <paramref name="name"/>; false if there was none.</summary>
        public bool Remove(string name)
        {
            ArgumentNullException.ThrowIfNull(name);
            if (!_tensors.Remove(name))
                return false;
            _order.Remove(name);
            return true;
        }

        /// <summary>The stored values of <paramref name="name"/>, read-only.</summary>
        /// <exception cref="KeyNotFoundException">There is no such tensor.</exception>
        public ReadOnlySpan<float> GetValues(string name) => Find(name).Values;

        /// <inheritdoc/>
        public bool TryGetTensorInfo(string name, out TensorInfo info)
        {
            ArgumentNullException.ThrowIfNull(name);
            if (_tensors.TryGetValue(name, out Tensor? tensor))
            {
                info = tensor.Info;
                return true;
            }
            info = default;
            return false;
        }

        /// <summary>Copies tensor <paramref name="name"/> into <paramref name="destination"/>.</summary>
        /// <exception cref="InvalidDataException">No such tensor, or a destination whose length is not the element count.</exception>
        public void ReadFloat32(string name, Span<float> destination)
        {
            ArgumentNullException.ThrowIfNull(name);
            if (!_tensors.TryGetValue(name, out Tensor? tensor))
                throw new InvalidDataException($"In-memory weights have no tensor '{name}'");
            if (destination.Length != tensor.Values.Length)
            {
                throw new InvalidDataException(
                    $"In-memory tensor '{name}' {tensor.Info.ShapeText} has {tensor.Values.Length} elements, " +
                    $"but the destination holds {destination.Length} floats");
            }
            tensor.Values.CopyTo(destination);
        }

        /// <summary>"in-memory weights (N tensors)".</summary>
        public override string ToString() => $"in-memory weights ({Count} tensors)";

        private Tensor Find(string name)
        {
            ArgumentNullException.ThrowIfNull(name);
            return _tensors.TryGetValue(name, out Tensor? tensor)
                ? tensor
                : throw new KeyNotFoundException($"In-memory weights have no tensor '{name}'.");
        }

        private static Tensor CreateTensor(string name, float[] values, int[] shape)
        {
            ArgumentException.ThrowIfNullOrEmpty(name);
            ArgumentNullException.ThrowIfNull(values);
            ArgumentNullException.ThrowIfNull(shape);

            long count = 1;
            foreach (int dimension in shape)
            {
                if (dimension < 0)
                    throw new ArgumentException($"Tensor '{name}': shape {ShapeText(shape)} has a negative dimension.", nameof(shape));
                count *= dimension; // Cannot overflow before exceeding int range, checked below.
                if (count > int.MaxValue)
                    throw new ArgumentException($"Tensor '{name}': shape {ShapeText(shape)} holds more than {int.MaxValue} elements.", nameof(shape));
            }
            if (values.Length != count)
            {
                throw new ArgumentException(
                    $"Tensor '{name}': shape {ShapeText(shape)} holds {count} elements, but {values.Length} values were given.",
                    nameof(values));
            }

            long[] storedShape = Array.ConvertAll(shape, d => (long)d);
            var info = new TensorInfo(TensorDataType.F32, Array.AsReadOnly(storedShape), "F32");
            return new Tensor(info, (float[])values.Clone());
        }

        private static string ShapeText(int[] shape) => "[" + string.Join(", ", shape) + "]";

        private sealed record Tensor(TensorInfo Info, float[] Values);
    }
}
