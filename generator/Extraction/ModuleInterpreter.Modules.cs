using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using FusedNet.Generator.Catalog;
using FusedNet.Generator.Diagnostics;
using FusedNet.Generator.Helpers;
using FusedNet.Generator.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;

namespace FusedNet.Generator.Extraction
{
    /// <summary>The module half of the interpreter: calls, module construction (built-in and user) and layers.</summary>
    internal sealed partial class ModuleInterpreter
    {
        // ---------------------------------------------------------------- calls

        private Value Invoke(IInvocationOperation invocation, Frame frame)
        {
            IMethodSymbol method = invocation.TargetMethod;
            INamedTypeSymbol? owner = method.ContainingType;

            if (method.Name == "Forward" && _known.IsTensor(method.ReturnType))
            {
                IOperation? receiverOperation = null, inputOperation = null;
                if (SymbolEqualityComparer.Default.Equals(owner, _known.ModuleExtensions) && invocation.Arguments.Length == 2)
                {
                    receiverOperation = invocation.Arguments[0].Value;
                    inputOperation = invocation.Arguments[1].Value;
                }
                else if (!method.IsStatic && invocation.Arguments.Length == 1 && _known.IsModule(owner))
                {
                    receiverOperation = invocation.Instance;
                    inputOperation = invocation.Arguments[0].Value;
                }
                if (receiverOperation is not null && inputOperation is not null)
                {
                    Value receiver = Eval(receiverOperation, frame);
                    if (receiver is NullValue)
                        throw Error(DiagnosticDescriptors.NullSubModuleCalled, invocation.Syntax, frame.Owner,
                            receiverOperation is IMemberReferenceOperation member ? member.Member.Name : Text(receiverOperation.Syntax));
                    Value input = Eval(inputOperation, frame);
                    if (receiver is ModuleValue module && input is TensorValue tensor)
                        return CallModule(module.Module, tensor, invocation.Syntax, frame);
                    throw Unsupported(invocation, frame);
                }
            }

            if (owner is not null && owner.ContainingNamespace?.ToDisplayString() == "System" && owner.Name is "Math" or "MathF")
            {
                var values = new List<object>();
                foreach (IArgumentOperation argument in invocation.Arguments)
                    values.Add(Eval(argument.Value, frame) is ConstValue { Constant: var c } ? c : throw NotReadable(argument.Value, frame));
                return Constants.Math(method.Name, values, method.ReturnType.SpecialType) is { } result
                    ? new ConstValue(result)
                    : throw NotReadable(invocation, frame);
            }

            if (SymbolEqualityComparer.Default.Equals(owner, _known.Tensor) && method.Name == "Cat")
                return Cat(invocation, frame);

            if (SymbolEqualityComparer.Default.Equals(owner, _known.F))
                return Function(invocation, frame);

            if (SymbolEqualityComparer.Default.Equals(owner, _known.Module) && method.Name == "FromAttributes" && method.TypeArguments.Length == 1)
                return FromAttributes(invocation, frame);

            if (SourceBody(method) is { } body && !method.IsAbstract)
            {
                ModuleInstance? self = null;
                if (!method.IsStatic)
                {
                    if (invocation.Instance is null || Eval(invocation.Instance, frame) is not ModuleValue receiver) throw Unsupported(invocation, frame);
                    self = receiver.Module;
                }
                return RunBody(body, method, invocation.Arguments, self, frame, invocation.Syntax);
            }
            throw NotReadable(invocation, frame);
        }

        /// <summary>
        /// Module.FromAttributes&lt;T&gt;(): an attribute-declared network as a Sequential of its layers, read with the
        /// attribute front end's reader; the first layer carries T's declared input shape for shape inference to check.
        /// </summary>
        private Value FromAttributes(IInvocationOperation invocation, Frame frame)
        {
            if (frame.InForward)
                throw Unsupported(invocation, frame, $"'{Text(invocation.Syntax)}' in Forward (create sub-modules in field initialisers, then call them in Forward)");
            if (invocation.TargetMethod.TypeArguments[0] is not INamedTypeSymbol network || network.TypeKind == TypeKind.Error) throw Silent();
            AttributeData? shape = network.GetAttributes()
                .FirstOrDefault(a => a.AttributeClass?.ToDisplayString() == AttributeExtractor.NetworkAttributeMetadataName);
            var attributes = AttributeExtractor.LayerAttributesInSourceOrder(network, _cancellationToken);
            if (shape is null || attributes.Count == 0)
                throw Error(DiagnosticDescriptors.InvalidModuleClass, invocation.Syntax, network.Name,
                    "is used with Module.FromAttributes, which takes a network declared with [FusedNetwork(c, h, w)] and layer attributes");
            int[] input = shape.ConstructorArguments.Select(a => a.Value is int i ? i : -1).ToArray();
            if (input.Length != 3 || input.Any(v => v < 1)) throw Silent(); // the attribute network reports its own problem

            var module = new ModuleInstance(network, ModuleRole.Sequential, invocation.Syntax, "");
            for (int i = 0; i < attributes.Count; i++)
            {
                var problems = new List<DiagnosticInfo>();
                LayerSpec? spec = AttributeExtractor.ReadLayer(i, attributes[i].Data, LocationInfo.From(attributes[i].Syntax), problems);
                if (spec is null) throw problems.Count > 0 ? new ExtractionStop(problems[0]) : Silent();
                string position = i.ToString(System.Globalization.CultureInfo.InvariantCulture);
                module.Children.Add(new ModuleInstance(network, ModuleRole.Layer, attributes[i].Syntax, "")
                {
                    Layer = spec with
                    {
                        Index = 0,
                        Name = "",
                        Location = null,
                        Inputs = default,
                        DeclaredInputShape = i == 0 ? input.ToEquatableArray() : default,
                        DeclaredBy = network.Name,
                    },
                    SegmentOverride = spec.Name == position ? null : spec.Name,
                });
            }
            return new ModuleValue(module);
        }

        private Value Cat(IInvocationOperation invocation, Frame frame)
        {
            var inputs = new List<int>();
            foreach (IArgumentOperation argument in invocation.Arguments)
            {
                Value value = Eval(argument.Value, frame);
                IEnumerable<Value> items = value is ArrayValue array ? array.Elements : new[] { value };
                foreach (Value item in items)
                    inputs.Add(item is TensorValue t ? t.Producer : throw Unsupported(argument.Value, frame, $"the operand '{Text(argument.Value.Syntax)}' of Tensor.Cat (a list of tensors written out)"));
            }
            if (inputs.Count < 2)
                throw Error(DiagnosticDescriptors.UnsupportedModuleArgument, invocation.Syntax, frame.Owner,
                    $"Tensor.Cat needs at least two tensors, but '{Text(invocation.Syntax)}' has {inputs.Count}");
            return AddLayer(new LayerSpec(0, "", LayerKind.Cat, null), frame, "cat", inputs.ToArray(), invocation.Syntax);
        }

        /// <summary>F.Relu(x), F.MaxPool2d(x, 3, 2, 1), ...: one layer each.</summary>
        private Value Function(IInvocationOperation invocation, Frame frame)
        {
            string name = invocation.TargetMethod.Name;
            Arguments args = Bind(invocation.Arguments, frame, parameter => $"argument '{parameter}' of F.{name}", null);
            if (!args.TryGetValue("x", out (Value Value, IOperation Operation) x) || x.Value is not TensorValue input)
                throw Unsupported(invocation, frame);
            LayerKind kind;
            var spec = new LayerSpec(0, "", LayerKind.ReLU, null);
            switch (name)
            {
                case "Relu": kind = LayerKind.ReLU; break;
                case "Relu6": kind = LayerKind.ReLU6; break;
                case "Sigmoid": kind = LayerKind.Sigmoid; break;
                case "Tanh": kind = LayerKind.Tanh; break;
                case "Silu": kind = LayerKind.SiLU; break;
                case "Hardswish": kind = LayerKind.Hardswish; break;
                case "Hardsigmoid": kind = LayerKind.Hardsigmoid; break;
                case "Flatten": kind = LayerKind.Flatten; break;
                case "LeakyRelu": kind = LayerKind.LeakyReLU; spec = spec with { Parameter = args.Float("negativeSlope", 0.01f, frame) }; break;
                case "Elu": kind = LayerKind.ELU; spec = spec with { Parameter = args.Float("alpha", 1f, frame) }; break;
                case "Gelu": kind = LayerKind.GELU; spec = spec with { Approximate = args.Bool("approximate", false, frame) }; break;
                case "Dropout": kind = LayerKind.Dropout; spec = spec with { Parameter = args.Float("p", 0.5f, frame) }; break;
                case "AdaptiveAvgPool2d": kind = LayerKind.AdaptiveAvgPool2d; CheckAdaptive(args, frame); break;
                case "MaxPool2d": kind = LayerKind.MaxPool2d; spec = Pool(spec, args, frame); break;
                case "AvgPool2d": kind = LayerKind.AvgPool2d; spec = Pool(spec, args, frame); break;
                default: throw Unsupported(invocation, frame);
            }
            return AddLayer(spec with { Kind = kind }, frame, name.ToLowerInvariant(), new[] { input.Producer }, invocation.Syntax);
        }

        private void CheckAdaptive(Arguments args, Frame frame)
        {
            int size = args.Int("outputSize", 1, frame);
            if (size != 1)
                throw Error(DiagnosticDescriptors.UnsupportedModuleArgument, args["outputSize"].Operation.Syntax, frame.Owner,
                    $"AdaptiveAvgPool2d to {size}x{size} is not supported; only output size 1 (global average pooling) is");
        }

        private static LayerSpec Pool(LayerSpec spec, Arguments args, Frame frame)
        {
            int kernel = args.Int("kernelSize", 0, frame);
            return spec with { KernelHeight = kernel, KernelWidth = kernel, Stride = args.Int("stride", kernel, frame), Padding = args.Int("padding", 0, frame) };
        }

        /// <summary>Arguments by parameter name, evaluated in the caller's frame.</summary>
        private sealed class Arguments : Dictionary<string, (Value Value, IOperation Operation)>
        {
            private readonly ModuleInterpreter _owner;
            private readonly System.Func<string, string> _context;

            public Arguments(ModuleInterpreter owner, System.Func<string, string> context) : base(System.StringComparer.Ordinal)
            {
                _owner = owner;
                _context = context;
            }

            private ExtractionStop NotConstant(string name, Frame frame) =>
                Error(DiagnosticDescriptors.NotConstant, this[name].Operation.Syntax, frame.Owner, _context(name), Text(this[name].Operation.Syntax),
                    "(it must be a build-time constant of the parameter's type)");

            public int Int(string name, int fallback, Frame frame)
            {
                if (!TryGetValue(name, out (Value Value, IOperation Operation) argument) || argument.Value is NullValue) return fallback;
                return argument.Value is ConstValue { Constant: int i } ? i : throw NotConstant(name, frame);
            }

            public float Float(string name, float fallback, Frame frame)
            {
                if (!TryGetValue(name, out (Value Value, IOperation Operation) argument) || argument.Value is NullValue) return fallback;
                return argument.Value is ConstValue { Constant: var c } && Constants.Convert(c, SpecialType.System_Single) is float f ? f : throw NotConstant(name, frame);
            }

            /// <summary>A float[] argument written as an array creation or collection expression of constants.</summary>
            public EquatableArray<float> Floats(string name, Frame frame)
            {
                if (!TryGetValue(name, out (Value Value, IOperation Operation) argument) || argument.Value is NullValue) return EquatableArray<float>.Empty;
                if (argument.Value is not ArrayValue array) throw NotConstant(name, frame);
                var values = new List<float>();
                foreach (Value element in array.Elements)
                    values.Add(element is ConstValue { Constant: var c } && Constants.Convert(c, SpecialType.System_Single) is float f ? f : throw NotConstant(name, frame));
                return values.ToEquatableArray();
            }

            public bool Bool(string name, bool fallback, Frame frame)
            {
                if (!TryGetValue(name, out (Value Value, IOperation Operation) argument)) return fallback;
                return argument.Value is ConstValue { Constant: bool b } ? b : throw NotConstant(name, frame);
            }

            /// <summary>An int or an int array (LayerNorm's normalized_shape): the values, each a build-time constant.</summary>
            public int[] Ints(string name, Frame frame)
            {
                if (!TryGetValue(name, out (Value Value, IOperation Operation) argument) || argument.Value is NullValue) return new int[0];
                if (argument.Value is ConstValue { Constant: int single }) return new[] { single };
                if (argument.Value is ArrayValue array)
                {
                    var values = new int[array.Elements.Count];
                    for (int i = 0; i < values.Length; i++)
                        values[i] = array.Elements[i] is ConstValue { Constant: int v } ? v : throw NotConstant(name, frame);
                    return values;
                }
                throw NotConstant(name, frame);
            }

            public ModuleInterpreter Interpreter => _owner;
        }

        /// <summary>
        /// Evaluates arguments by parameter (defaults included, as Roslyn lists them). Constant-typed parameters are
        /// evaluated with <paramref name="context"/> as the FN0023 wording; a params array of modules gets child paths.
        /// </summary>
        private Arguments Bind(ImmutableArray<IArgumentOperation> arguments, Frame frame, System.Func<string, string> context, string? hint)
        {
            var result = new Arguments(this, context);
            foreach (IArgumentOperation argument in arguments)
            {
                if (argument.Parameter is null) throw Silent();
                string? saved = _valueContext;
                _valueContext = IsConstantType(argument.Parameter.Type) ? context(argument.Parameter.Name) : null;
                try
                {
                    result[argument.Parameter.Name] = (Eval(argument.Value, frame, argument.ArgumentKind == ArgumentKind.ParamArray ? hint : null), argument.Value);
                }
                finally
                {
                    _valueContext = saved;
                }
            }
            return result;
        }

        // ---------------------------------------------------------------- construction

        private Value Create(IObjectCreationOperation creation, Frame frame, string? hint)
        {
            if (frame.InForward)
                throw Unsupported(creation, frame, $"'{Text(creation.Syntax)}' in Forward (create sub-modules in field initialisers, then call them in Forward)");
            if (creation.Type is not INamedTypeSymbol type || creation.Constructor is null) throw Silent();
            if (creation.Initializer is not null) throw Unsupported(creation, frame, $"the object initialiser in '{Text(creation.Syntax)}'");
            if (_known.IsBuiltin(type)) return new ModuleValue(Builtin(type, creation, frame, hint));
            if (!_known.IsModule(type)) throw NotReadable(creation, frame);
            if (!_known.HasFusedModule(type))
                throw Error(DiagnosticDescriptors.InvalidModuleClass, creation.Syntax, type.Name,
                    "is used as a sub-module but is not marked [FusedModule]; add [FusedModule] to its declaration so FusedNet reads it");
            return new ModuleValue(Instantiate(type, creation.Constructor, creation.Arguments, frame, creation.Syntax, hint));
        }

        private ModuleInstance Builtin(INamedTypeSymbol type, IObjectCreationOperation creation, Frame frame, string? hint)
        {
            string what = hint is { Length: > 0 } ? hint : "new " + type.Name;
            Arguments args = Bind(creation.Arguments, frame, parameter => $"setting '{parameter}' of {what}", hint);
            var module = new ModuleInstance(type, ModuleRole.Layer, creation.Syntax, hint ?? "");
            LayerSpec Spec(LayerKind kind) => new LayerSpec(0, "", kind, null);
            switch (type.Name)
            {
                case "Sequential":
                    module.Role = ModuleRole.Sequential;
                    if (args.TryGetValue("modules", out (Value Value, IOperation Operation) children)) AddChildren(module, children.Value, children.Operation, frame);
                    break;
                case "Identity":
                    module.Role = ModuleRole.Identity;
                    break;
                case "Conv2d":
                    int kernel = args.Int("kernelSize", 0, frame);
                    module.Layer = Spec(LayerKind.Conv2d) with
                    {
                        DeclaredInChannels = args.Int("inChannels", 0, frame),
                        OutChannels = args.Int("outChannels", 0, frame),
                        KernelHeight = kernel,
                        KernelWidth = kernel,
                        Stride = args.Int("stride", 1, frame),
                        Padding = args.Int("padding", 0, frame),
                        Dilation = args.Int("dilation", 1, frame),
                        Groups = args.Int("groups", 1, frame),
                        Bias = args.Bool("bias", true, frame),
                    };
                    break;
                case "BatchNorm2d":
                case "BatchNorm1d":
                    // momentum only matters for training; it is read so a non-constant one is still reported.
                    _ = args.Float("momentum", 0.1f, frame);
                    module.Layer = Spec(type.Name == "BatchNorm2d" ? LayerKind.BatchNorm2d : LayerKind.BatchNorm1d) with
                    {
                        DeclaredInChannels = args.Int("numFeatures", 0, frame),
                        Epsilon = args.Float("eps", 1e-5f, frame),
                        TrackRunningStats = args.Bool("trackRunningStats", true, frame),
                    };
                    break;
                case "Linear":
                    module.Layer = Spec(LayerKind.Linear) with
                    {
                        DeclaredInChannels = args.Int("inFeatures", 0, frame),
                        OutChannels = args.Int("outFeatures", 0, frame),
                        Bias = args.Bool("bias", true, frame),
                    };
                    break;
                case "LeakyReLU":
                    module.Layer = Spec(LayerKind.LeakyReLU) with { Parameter = args.Float("negativeSlope", 0.01f, frame) };
                    break;
                case "ELU":
                    module.Layer = Spec(LayerKind.ELU) with { Parameter = args.Float("alpha", 1f, frame) };
                    break;
                case "GELU":
                    module.Layer = Spec(LayerKind.GELU) with { Approximate = args.Bool("approximate", false, frame) };
                    break;
                case "Dropout":
                    module.Layer = Spec(LayerKind.Dropout) with { Parameter = args.Float("p", 0.5f, frame) };
                    break;
                case "MaxPool2d":
                    module.Layer = Pool(Spec(LayerKind.MaxPool2d), args, frame);
                    break;
                case "AvgPool2d":
                    module.Layer = Pool(Spec(LayerKind.AvgPool2d), args, frame);
                    break;
                case "AdaptiveAvgPool2d":
                    CheckAdaptive(args, frame);
                    module.Layer = Spec(LayerKind.AdaptiveAvgPool2d);
                    break;
                case "Maxout":
                    module.Layer = Spec(LayerKind.Maxout) with { Pieces = args.Int("pieces", 0, frame) };
                    break;
                case "LayerNorm":
                    module.Layer = Spec(LayerKind.LayerNorm) with
                    {
                        NormalizedShape = args.Ints("normalizedShape", frame).ToEquatableArray(),
                        Epsilon = args.Float("eps", 1e-5f, frame),
                        Affine = args.Bool("elementwiseAffine", true, frame),
                    };
                    break;
                case "GroupNorm":
                    module.Layer = Spec(LayerKind.GroupNorm) with
                    {
                        Groups = args.Int("numGroups", 0, frame),
                        DeclaredInChannels = args.Int("numChannels", 0, frame),
                        Epsilon = args.Float("eps", 1e-5f, frame),
                        Affine = args.Bool("affine", true, frame),
                    };
                    break;
                case "InstanceNorm2d":
                    // momentum only matters for training; it is read so a non-constant one is still reported.
                    _ = args.Float("momentum", 0.1f, frame);
                    module.Layer = Spec(LayerKind.InstanceNorm2d) with
                    {
                        DeclaredInChannels = args.Int("numFeatures", 0, frame),
                        Epsilon = args.Float("eps", 1e-5f, frame),
                        Affine = args.Bool("affine", false, frame),
                        TrackRunningStats = args.Bool("trackRunningStats", false, frame),
                    };
                    break;
                case "Normalize":
                    // new Normalize(numChannels) reads P.mean and P.std from the weights; new Normalize(mean, std) has constants.
                    module.Layer = creation.Constructor!.Parameters.Length == 1
                        ? Spec(LayerKind.Normalize) with { NormalizeReadsTensors = true, DeclaredInChannels = args.Int("numChannels", 0, frame) }
                        : Spec(LayerKind.Normalize) with { Mean = args.Floats("mean", frame), Std = args.Floats("std", frame) };
                    break;
                default:
                    // ReLU, ReLU6, Sigmoid, Tanh, SiLU, Hardswish, Hardsigmoid, Flatten: no arguments.
                    module.Layer = Spec(KnownTypes.SimpleModules[type.Name]);
                    break;
            }
            return module;
        }

        private void AddChildren(ModuleInstance sequential, Value children, IOperation at, Frame frame)
        {
            if (children is not ArrayValue array) throw Unsupported(at, frame, $"the children '{Text(at.Syntax)}' of a Sequential (write them out)");
            for (int i = 0; i < array.Elements.Count; i++)
            {
                sequential.Children.Add(array.Elements[i] switch
                {
                    ModuleValue module => module.Module,
                    NullValue => throw Error(DiagnosticDescriptors.NullSubModuleCalled, array.Syntax[i], frame.Owner, Text(array.Syntax[i])),
                    _ => throw Unsupported(at, frame, $"the Sequential child '{Text(array.Syntax[i])}'"),
                });
            }
        }

        /// <summary>Constructs a user [FusedModule] class: parameters bound, initialisers, base call (Sequential children), constructor body.</summary>
        public ModuleInstance Instantiate(INamedTypeSymbol type, IMethodSymbol constructor, ImmutableArray<IArgumentOperation> arguments,
            Frame caller, SyntaxNode? creation, string? hint, Dictionary<ISymbol, Value>? boundArguments = null)
        {
            if (_constructing.Contains(type, SymbolEqualityComparer.Default))
            {
                string chain = string.Join(" -> ", _constructing.SkipWhile(t => !SymbolEqualityComparer.Default.Equals(t, type)).Select(t => t.Name).Concat(new[] { type.Name }));
                throw Error(DiagnosticDescriptors.RecursiveModule, creation, type.Name, chain);
            }
            if (_constructing.Count >= MaxDepth)
                throw Error(DiagnosticDescriptors.ModuleTooLarge, creation, caller.Owner, $"modules nest more than {MaxDepth} deep");
            CheckCompiles(type);
            _constructing.Add(type);
            var module = new ModuleInstance(type, ModuleRole.User, creation, hint ?? "");
            string what = hint is { Length: > 0 } ? hint : type.Name;
            Dictionary<ISymbol, Value> bound = boundArguments ?? ToParameters(Bind(arguments, caller, parameter => $"setting '{parameter}' of {what}", null), constructor);
            DeclareMembers(module);
            RunConstructor(module, constructor, bound, creation);
            if (FindForward(type) is null && _known.DerivesFromSequential(type)) module.Role = ModuleRole.Sequential;
            _constructing.RemoveAt(_constructing.Count - 1);
            return module;
        }

        private readonly HashSet<INamedTypeSymbol> _compiles = new HashSet<INamedTypeSymbol>(SymbolEqualityComparer.Default);

        /// <summary>
        /// Stops silently when the compiler reports an error in the module class: the user sees that error, and a
        /// second FN diagnostic about the same half-typed code would only be noise.
        /// </summary>
        private void CheckCompiles(INamedTypeSymbol type)
        {
            if (_compiles.Contains(type)) return;
            foreach (TypeDeclarationSyntax declaration in Declarations(type))
                if (declaration.ContainsDiagnostics ||
                    Model(declaration).GetDiagnostics(declaration.Span, _cancellationToken).Any(d => d.Severity == DiagnosticSeverity.Error))
                    throw Silent();
            _compiles.Add(type);
        }

        private static Dictionary<ISymbol, Value> ToParameters(Arguments arguments, IMethodSymbol method)
        {
            var result = new Dictionary<ISymbol, Value>(SymbolEqualityComparer.Default);
            foreach (IParameterSymbol parameter in method.Parameters)
                if (arguments.TryGetValue(parameter.Name, out (Value Value, IOperation Operation) argument)) result[parameter] = argument.Value;
            return result;
        }

        /// <summary>The instance fields and auto-properties of the class, in declaration order, at their default values.</summary>
        private void DeclareMembers(ModuleInstance module)
        {
            foreach (TypeDeclarationSyntax declaration in Declarations(module.Type))
            {
                SemanticModel model = Model(declaration);
                foreach (MemberDeclarationSyntax member in declaration.Members)
                {
                    if (member is FieldDeclarationSyntax field)
                    {
                        foreach (VariableDeclaratorSyntax variable in field.Declaration.Variables)
                            if (model.GetDeclaredSymbol(variable, _cancellationToken) is IFieldSymbol { IsStatic: false, IsConst: false } symbol)
                            {
                                module.Members[symbol] = DefaultOf(symbol.Type);
                                module.MemberOrder.Add((symbol, variable));
                            }
                    }
                    else if (member is PropertyDeclarationSyntax property &&
                             model.GetDeclaredSymbol(property, _cancellationToken) is IPropertySymbol { IsStatic: false } symbol &&
                             IsAutoProperty(property))
                    {
                        module.Members[symbol] = DefaultOf(symbol.Type);
                        module.MemberOrder.Add((symbol, property));
                    }
                }
            }
        }

        private static bool IsAutoProperty(PropertyDeclarationSyntax property) =>
            property.ExpressionBody is null && property.AccessorList is not null &&
            property.AccessorList.Accessors.All(a => a.Body is null && a.ExpressionBody is null);

        /// <summary>The class's declarations in a stable order (file, then position).</summary>
        private IEnumerable<TypeDeclarationSyntax> Declarations(INamedTypeSymbol type) =>
            type.DeclaringSyntaxReferences
                .Select(r => r.GetSyntax(_cancellationToken))
                .OfType<TypeDeclarationSyntax>()
                .OrderBy(d => d.SyntaxTree.FilePath, System.StringComparer.Ordinal)
                .ThenBy(d => d.SpanStart);

        private void RunConstructor(ModuleInstance module, IMethodSymbol constructor, Dictionary<ISymbol, Value> bound, SyntaxNode? creation)
        {
            SyntaxNode? syntax = constructor.DeclaringSyntaxReferences.FirstOrDefault()?.GetSyntax(_cancellationToken);
            var frame = new Frame(module, false, module.Describe());
            Enter(creation ?? syntax ?? module.Type.DeclaringSyntaxReferences.First().GetSyntax(_cancellationToken), frame.Owner);
            if (syntax is TypeDeclarationSyntax primary)
            {
                foreach (IParameterSymbol parameter in constructor.Parameters)
                    module.PrimaryParameters[parameter] = bound.TryGetValue(parameter, out Value? value) ? value : throw Silent();
                RunInitializers(module, frame);
                if (primary.BaseList?.Types.FirstOrDefault() is PrimaryConstructorBaseTypeSyntax baseCall)
                    BaseCall(module, Model(baseCall).GetOperation(baseCall, _cancellationToken), frame, baseCall);
                else CheckBase(module, primary);
            }
            else if (syntax is ConstructorDeclarationSyntax explicitConstructor)
            {
                if (Model(explicitConstructor).GetOperation(explicitConstructor, _cancellationToken) is not IConstructorBodyOperation body) throw Silent();
                foreach (IParameterSymbol parameter in constructor.Parameters)
                    frame.Locals[parameter] = bound.TryGetValue(parameter, out Value? value) ? value : throw Silent();
                IInvocationOperation? initializer = (body.Initializer as IExpressionStatementOperation)?.Operation as IInvocationOperation;
                if (initializer is not null && SymbolEqualityComparer.Default.Equals(initializer.TargetMethod.ContainingType, module.Type))
                {
                    // this(...): the other constructor runs the initialisers.
                    Arguments chained = Bind(initializer.Arguments, frame, parameter => $"setting '{parameter}' of {module.Describe()}", null);
                    RunConstructor(module, initializer.TargetMethod, ToParameters(chained, initializer.TargetMethod), initializer.Syntax);
                }
                else
                {
                    RunInitializers(module, frame);
                    if (initializer is not null) BaseCall(module, initializer, frame, explicitConstructor);
                }
                if (((IOperation?)body.BlockBody ?? body.ExpressionBody) is { } block) Exec(block, frame);
            }
            else
            {
                RunInitializers(module, frame);
                CheckBase(module, null);
            }
            Leave();
        }

        private void CheckBase(ModuleInstance module, SyntaxNode? at)
        {
            INamedTypeSymbol? baseType = module.Type.BaseType;
            if (baseType is null || SymbolEqualityComparer.Default.Equals(baseType, _known.Module) ||
                SymbolEqualityComparer.Default.Equals(baseType, _known.Sequential)) return;
            throw Error(DiagnosticDescriptors.InvalidModuleClass, at ?? module.Creation, module.Type.Name,
                $"derives from '{baseType.Name}'; a module class derives from Module or Sequential");
        }

        /// <summary>The base constructor call: Sequential(children...) gives the children; Module() nothing.</summary>
        private void BaseCall(ModuleInstance module, IOperation? operation, Frame frame, SyntaxNode at)
        {
            if (operation is IExpressionStatementOperation statement) operation = statement.Operation;
            if (operation is not IInvocationOperation call) throw Silent();
            INamedTypeSymbol? baseType = call.TargetMethod.ContainingType;
            if (SymbolEqualityComparer.Default.Equals(baseType, _known.Sequential))
            {
                Arguments args = Bind(call.Arguments, frame, parameter => $"setting '{parameter}' of {module.Describe()}", module.HintPath);
                if (args.TryGetValue("modules", out (Value Value, IOperation Operation) children)) AddChildren(module, children.Value, children.Operation, frame);
                return;
            }
            if (SymbolEqualityComparer.Default.Equals(baseType, _known.Module) || baseType?.SpecialType == SpecialType.System_Object) return;
            CheckBase(module, at);
        }

        private void RunInitializers(ModuleInstance module, Frame frame)
        {
            foreach (TypeDeclarationSyntax declaration in Declarations(module.Type))
            {
                SemanticModel model = Model(declaration);
                foreach (MemberDeclarationSyntax member in declaration.Members)
                {
                    if (member is FieldDeclarationSyntax field && !field.Modifiers.Any(m => m.ValueText is "static" or "const"))
                    {
                        foreach (VariableDeclaratorSyntax variable in field.Declaration.Variables)
                        {
                            if (variable.Initializer is null) continue;
                            if (model.GetOperation(variable.Initializer, _cancellationToken) is not IFieldInitializerOperation initializer) throw Silent();
                            foreach (IFieldSymbol target in initializer.InitializedFields)
                                module.Members[target] = Initial(module, target, target.Type, initializer.Value, frame);
                        }
                    }
                    else if (member is PropertyDeclarationSyntax { Initializer: not null } property && !property.Modifiers.Any(m => m.ValueText == "static"))
                    {
                        if (model.GetOperation(property.Initializer, _cancellationToken) is not IPropertyInitializerOperation initializer) throw Silent();
                        foreach (IPropertySymbol target in initializer.InitializedProperties)
                            module.Members[target] = Initial(module, target, target.Type, initializer.Value, frame);
                    }
                }
            }
        }

        private Value Initial(ModuleInstance module, ISymbol member, ITypeSymbol type, IOperation value, Frame frame)
        {
            string? saved = _valueContext;
            _valueContext = IsConstantType(type) ? $"the value of '{member.Name}'" : null;
            try
            {
                return Eval(value, frame, Join(module.HintPath, Segment(member)));
            }
            finally
            {
                _valueContext = saved;
            }
        }

        // ---------------------------------------------------------------- Forward

        public IMethodSymbol? FindForward(INamedTypeSymbol type) =>
            type.GetMembers("Forward").OfType<IMethodSymbol>().FirstOrDefault(m =>
                !m.IsStatic && m.Parameters.Length == 1 && _known.IsTensor(m.Parameters[0].Type) && _known.IsTensor(m.ReturnType));

        /// <summary>Applies a module to a tensor: a layer, the children in order, nothing (Identity) or the class's Forward.</summary>
        public TensorValue CallModule(ModuleInstance module, TensorValue input, SyntaxNode site, Frame caller)
        {
            module.Called = true;
            switch (module.Role)
            {
                case ModuleRole.Identity:
                    return input;
                case ModuleRole.Layer:
                    return AddModuleLayer(module, input, site);
                case ModuleRole.Sequential:
                    TensorValue x = input;
                    foreach (ModuleInstance child in module.Children)
                        x = CallModule(child, x, child.Creation ?? site, caller);
                    return x;
            }
            IMethodSymbol? forward = FindForward(module.Type);
            SyntaxNode? body = forward is null ? null : SourceBody(forward);
            if (forward is null || body is null)
            {
                SyntaxNode? at = forward?.DeclaringSyntaxReferences.FirstOrDefault()?.GetSyntax(_cancellationToken) ?? module.Creation ?? site;
                throw Error(DiagnosticDescriptors.InvalidForward, at, module.Describe(),
                    $"class '{module.Type.Name}' has no method 'public Tensor Forward(Tensor x)' with a body for FusedNet to read");
            }
            Value result = RunBody(body, forward, ImmutableArray<IArgumentOperation>.Empty, module, new Frame(module, true, module.Describe()), site,
                module.Describe(), input);
            return result as TensorValue ?? throw Error(DiagnosticDescriptors.InvalidForward, site, module.Describe(),
                "Forward does not return a tensor on the path taken at build time");
        }

        private TensorValue AddModuleLayer(ModuleInstance module, TensorValue input, SyntaxNode site)
        {
            LayerSpec spec = module.Layer!;
            string path = module.Path ?? module.HintPath;
            string name;
            if (LayerCatalog.HasWeights(spec))
            {
                name = path;
                _layerNames.Add(name);
            }
            else name = Unique(path.Length > 0 ? path : module.Type.Name.ToLowerInvariant());
            return Record(spec with { Name = name }, new[] { input.Producer }, site);
        }

        private TensorValue AddLayer(LayerSpec spec, Frame frame, string label, int[] inputs, SyntaxNode site)
        {
            string? path = frame.Self?.Path;
            return Record(spec with { Name = Unique(string.IsNullOrEmpty(path) ? label : path + ":" + label) }, inputs, site);
        }

        private string Unique(string name)
        {
            if (_layerNames.Add(name)) return name;
            for (int n = 2; ; n++)
            {
                string candidate = name + "#" + n.ToString(System.Globalization.CultureInfo.InvariantCulture);
                if (_layerNames.Add(candidate)) return candidate;
            }
        }

        private TensorValue Record(LayerSpec spec, int[] inputs, SyntaxNode site)
        {
            if (Layers.Count >= MaxLayers)
                throw Error(DiagnosticDescriptors.ModuleTooLarge, site, "'" + _known.TopName + "'", $"the network has more than {MaxLayers} layers");
            int index = Layers.Count;
            Layers.Add(spec with { Index = index, Inputs = inputs.ToImmutableArray().ToEquatableArray(), Location = LocationInfo.From(site) });
            return new TensorValue(index);
        }
    }
}
