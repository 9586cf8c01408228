using System;
using System.Collections.Generic;
using System.Linq;
using FusedNet.Tests.Reference;

namespace FusedNet.Tests.Networks
{
    /// <summary>
    /// Seeded random networks that PyTorch would accept: a spatial body of conv blocks (conv, often BN, often an
    /// activation), pools, standalone BN, activations and dropout, then an optional head (GAP and/or Flatten,
    /// Linear blocks with BN1d). Sizes are kept small (spatial 1–19, channels 1–17, a few wider grouped convs)
    /// so a sweep of ~150 networks stays fast even where Vector256 is emulated.
    /// </summary>
    public static class RandomNetworks
    {
        // The normalisations draw from a stream of their own, so adding them did not change the rest of the sweep's networks.
        public static RefNetwork Create(int seed) => new Builder(new Random(seed), new Random(unchecked(seed * 7919 + 17))).Build();

        /// <summary>Every activation FusedNet supports, with non-default parameters half of the time.</summary>
        public static RefActivation RandomActivation(Random random) => random.Next(13) switch
        {
            0 => new RefReLU(),
            1 => new RefReLU6(),
            2 => new RefSigmoid(),
            3 => new RefTanh(),
            4 => new RefSiLU(),
            5 => new RefHardswish(),
            6 => new RefHardsigmoid(),
            7 => new RefLeakyReLU(),
            8 => new RefLeakyReLU(Pick(random, 0.1f, 0.2f, 0.05f, 0.3f)),
            9 => random.Next(2) == 0 ? new RefELU() : new RefELU(Pick(random, 0.5f, 0.7f, 1.3f)),
            10 => new RefGELU(),
            11 => new RefGELU { Approximate = true },
            _ => random.Next(2) == 0 ? new RefReLU() : new RefSiLU(),
        };

        private static T Pick<T>(Random random, params T[] choices) => choices[random.Next(choices.Length)];

        private sealed class Builder
        {
            private readonly Random _random;
            private readonly Random _normRandom;
            private readonly List<RefLayer> _layers = new();
            private RefShape _shape;

            public Builder(Random random, Random normRandom)
            {
                _random = random;
                _normRandom = normRandom;
            }

            public RefNetwork Build()
            {
                int channels = _random.Next(1, 18), height = _random.Next(1, 20), width = _random.Next(1, 20);
                _shape = RefShape.Spatial(channels, height, width);

                int blocks = _random.Next(1, 5);
                for (int i = 0; i < blocks; i++) AddBodyBlock();
                if (_normRandom.Next(100) < 35) AddNormalization();
                AddHead();
                NameSomeLayers();
                return new RefNetwork(channels, height, width, _layers);
            }

            private void AddBodyBlock()
            {
                int roll = _random.Next(100);
                if (roll < 55) AddConvBlock();
                else if (roll < 72) Add(RandomPool());
                else if (roll < 82) Add(new RefBatchNorm2d { Epsilon = RandomEpsilon() });
                else if (roll < 94) Add(RandomActivation(_random));
                else Add(new RefDropout(Pick(_random, 0.5f, 0.1f, 0.25f)));
            }

            private void AddConvBlock()
            {
                RefConv2d conv = RandomConv();
                bool batchNorm = _random.Next(100) < 65;
                // Without BN, Bias = false is rarer (PyTorch users drop the bias when a BN follows).
                bool bias = batchNorm ? _random.Next(2) == 0 : _random.Next(5) != 0;
                Add(conv with { Bias = bias });
                if (batchNorm) Add(new RefBatchNorm2d { Epsilon = RandomEpsilon() });
                if (_random.Next(100) < 75) Add(RandomActivation(_random));
            }

            private RefConv2d RandomConv()
            {
                for (int attempt = 0; attempt < 50; attempt++)
                {
                    (int outChannels, int groups) = RandomChannelsAndGroups(_shape.Channels);
                    int kernelHeight = _random.Next(1, 6);
                    int kernelWidth = _random.Next(100) < 30 ? _random.Next(1, 6) : kernelHeight;
                    var conv = new RefConv2d(outChannels, kernelHeight)
                    {
                        KernelWidth = kernelWidth == kernelHeight ? 0 : kernelWidth,
                        Stride = Pick(_random, 1, 1, 1, 2, 2, 3),
                        Padding = _random.Next(3),
                        Dilation = _random.Next(100) < 25 ? 2 : 1,
                        Groups = groups,
                    };
                    if (IsValid(conv)) return conv;
                }
                return new RefConv2d(_random.Next(1, 18), 1);
            }

            /// <summary>
            /// Dense, depthwise (multiplier 1–2) or grouped, with per-group output counts that are sometimes
            /// 8 or 16 (a whole vector) and otherwise small and odd-sized. Channels stay at most 64.
            /// </summary>
            private (int OutChannels, int Groups) RandomChannelsAndGroups(int inChannels)
            {
                int roll = _random.Next(100);
                if (roll < 55 || inChannels == 1) return (_random.Next(1, 18), 1);
                if (roll < 75) return (inChannels * (inChannels <= 17 ? _random.Next(1, 3) : 1), inChannels);
                int[] divisors = Enumerable.Range(2, inChannels - 1).Where(g => inChannels % g == 0).ToArray();
                if (divisors.Length == 0) return (_random.Next(1, 18), 1);
                int groups = Pick(_random, divisors);
                int perGroupOut = roll < 88 ? _random.Next(1, Math.Max(2, 18 / groups)) : Pick(_random, 8, 16);
                if (groups * perGroupOut > 64) perGroupOut = 1;
                return (groups * perGroupOut, groups);
            }

            private RefPool2d RandomPool()
            {
                for (int attempt = 0; attempt < 50; attempt++)
                {
                    int kernel = Pick(_random, 1, 2, 2, 3, 3);
                    int stride = _random.Next(100) < 50 ? 0 : _random.Next(1, 4);
                    int padding = _random.Next(kernel / 2 + 1);
                    RefPool2d pool = _random.Next(2) == 0
                        ? new RefMaxPool2d(kernel) { Stride = stride, Padding = padding }
                        : new RefAvgPool2d(kernel) { Stride = stride, Padding = padding };
                    if (IsValid(pool)) return pool;
                }
                return new RefMaxPool2d(1);
            }

            private void AddHead()
            {
                int roll = _random.Next(100);
                if (roll < 12) return; // spatial output
                if (roll < 55)
                {
                    Add(new RefGlobalAvgPool2d());
                    if (_random.Next(2) == 0) Add(new RefFlatten());
                }
                else if (_shape.Length <= 1500) Add(new RefFlatten());
                else Add(new RefGlobalAvgPool2d());

                if (_random.Next(100) < 10) Add(new RefBatchNorm1d { Epsilon = RandomEpsilon() }); // standalone BN1d
                if (_random.Next(100) < 10) Add(RandomActivation(_random));

                int linearBlocks = _random.Next(100) < 15 ? 0 : _random.Next(1, 3);
                for (int i = 0; i < linearBlocks; i++)
                {
                    bool batchNorm = _random.Next(100) < 40;
                    Add(new RefLinear(_random.Next(1, 18)) { Bias = !batchNorm || _random.Next(2) == 0 });
                    if (batchNorm) Add(new RefBatchNorm1d { Epsilon = RandomEpsilon() });
                    if (i < linearBlocks - 1 || _random.Next(3) == 0) Add(RandomActivation(_random));
                    if (_random.Next(100) < 15) Add(new RefDropout(0.2f));
                }
            }

            /// <summary>A LayerNorm, GroupNorm (a random divisor of the channels as groups) or InstanceNorm2d, often with an activation.</summary>
            private void AddNormalization()
            {
                int[] divisors = Enumerable.Range(1, _shape.Channels).Where(g => _shape.Channels % g == 0).ToArray();
                RefLayer norm = _normRandom.Next(3) switch
                {
                    0 => new RefLayerNorm { ElementwiseAffine = _normRandom.Next(4) != 0 },
                    1 => new RefGroupNorm(Pick(_normRandom, divisors)) { Affine = _normRandom.Next(4) != 0 },
                    _ => new RefInstanceNorm2d { Affine = _normRandom.Next(2) == 0, TrackRunningStats = _normRandom.Next(4) == 0 },
                };
                if (!IsValid(norm)) return; // InstanceNorm2d of a single pixel
                Add(norm);
                if (_normRandom.Next(100) < 60) Add(RandomActivation(_normRandom));
            }

            /// <summary>About one layer in ten gets a torchvision-style Name override ("features.3").</summary>
            private void NameSomeLayers()
            {
                for (int i = 0; i < _layers.Count; i++)
                {
                    if (_random.Next(10) != 0) continue;
                    string name = _random.Next(2) == 0 ? $"features.{i}" : $"block{i}.{_layers[i].Kind.ToLowerInvariant()}";
                    _layers[i] = _layers[i] with { Name = name };
                }
            }

            private float RandomEpsilon() => _random.Next(100) < 80 ? 1e-5f : Pick(_random, 1e-3f, 0.1f);

            private bool IsValid(RefLayer layer)
            {
                try
                {
                    layer.OutputShape(_shape);
                    return true;
                }
                catch (InvalidOperationException)
                {
                    return false;
                }
            }

            private void Add(RefLayer layer)
            {
                _shape = layer.OutputShape(_shape);
                _layers.Add(layer);
            }
        }
    }
}
