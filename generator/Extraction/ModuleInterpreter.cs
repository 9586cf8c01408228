using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using FusedNet.Generator.Diagnostics;
using FusedNet.Generator.Helpers;
using FusedNet.Generator.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;

namespace FusedNet.Generator.Extraction
{
    /// <summary>
    /// A small interpreter over Roslyn's IOperation trees: it "constructs" module instances at build time (field
    /// initialisers, constructors, constants) and then "runs" Forward on a symbolic tensor, recording one
    /// <see cref="LayerSpec"/> per module call, F function, + , * or Tensor.Cat. The supported subset is in
    /// docs/modules.md; anything else stops with a diagnostic on the exact expression, and code with compile
    /// errors (invalid operations, error types) stops silently, since the compiler already reports it.
    /// </summary>
    internal sealed partial class ModuleInterpreter
    {
        public const int MaxDepth = 48;
        public const int MaxLayers = 20000;
        public const int MaxSteps = 2_000_000;
        public const int MaxLoopIterations = 10000;

        private readonly Compilation _compilation;
        private readonly CancellationToken _cancellationToken;
        private readonly KnownTypes _known;
        private readonly Dictionary<SyntaxTree, SemanticModel> _models = new Dictionary<SyntaxTree, SemanticModel>();
        private readonly List<INamedTypeSymbol> _constructing = new List<INamedTypeSymbol>();
        private readonly Dictionary<ISymbol, Value> _statics = new Dictionary<ISymbol, Value>(SymbolEqualityComparer.Default);
        private readonly HashSet<string> _layerNames = new HashSet<string>(System.StringComparer.Ordinal);
        private int _depth;
        private int _steps;

        /// <summary>What the value being evaluated is for ("setting 'stride' of conv1"), for FN0023; null in Forward code.</summary>
        private string? _valueContext;

        public ModuleInterpreter(Compilation compilation, KnownTypes known, CancellationToken cancellationToken)
        {
            _compilation = compilation;
            _known = known;
            _cancellationToken = cancellationToken;
        }

        /// <summary>The layers recorded so far, in execution order.</summary>
        public List<LayerSpec> Layers { get; } = new List<LayerSpec>();

        // ---------------------------------------------------------------- frames and stops

        /// <summary>One activation of a constructor, initialiser, Forward or helper method.</summary>
        internal sealed class Frame
        {
            public Frame(ModuleInstance? self, bool inForward, string owner)
            {
                Self = self;
                InForward = inForward;
                Owner = owner;
            }

            public ModuleInstance? Self { get; }
            public bool InForward { get; }
            /// <summary>How messages name the module the code belongs to.</summary>
            public string Owner { get; }
            public Dictionary<ISymbol, Value> Locals { get; } = new Dictionary<ISymbol, Value>(SymbolEqualityComparer.Default);
            public Value? Returned { get; set; }
        }

        private enum Flow { Normal, Return }

        public static ExtractionStop Silent() => new ExtractionStop(null);

        public static ExtractionStop Error(DiagnosticDescriptor descriptor, SyntaxNode? at, params string[] arguments) =>
            new ExtractionStop(DiagnosticInfo.Create(descriptor, LocationInfo.From(at), arguments));

        public SemanticModel Model(SyntaxNode node)
        {
            if (!_models.TryGetValue(node.SyntaxTree, out SemanticModel? model))
            {
                model = _compilation.GetSemanticModel(node.SyntaxTree);
                _models[node.SyntaxTree] = model;
            }
            return model;
        }

        /// <summary>Counts work (FN0026 past the limit), honours cancellation, and stops silently on code with compile errors.</summary>
        private void Tick(IOperation operation)
        {
            _cancellationToken.ThrowIfCancellationRequested();
            if (++_steps > MaxSteps)
                throw Error(DiagnosticDescriptors.ModuleTooLarge, operation.Syntax, "'" + _known.TopName + "'",
                    $"reading the description takes more than {MaxSteps} evaluation steps (a loop or recursion too large to unroll at build time)");
            if (operation.Kind == OperationKind.Invalid || operation.Type?.TypeKind == TypeKind.Error || operation.Syntax.ContainsDiagnostics)
                throw Silent();
        }

        private void Enter(SyntaxNode at, string owner)
        {
            if (++_depth > MaxDepth)
                throw Error(DiagnosticDescriptors.ModuleTooLarge, at, owner,
                    $"modules, Forward calls and helper calls nest more than {MaxDepth} deep");
        }

        private void Leave() => _depth--;

        /// <summary>The code of a node on one line, shortened, for messages.</summary>
        public static string Text(SyntaxNode node)
        {
            string text = string.Join(" ", node.ToString().Split(new[] { ' ', '\t', '\r', '\n' }, System.StringSplitOptions.RemoveEmptyEntries));
            return text.Length <= 80 ? text : text.Substring(0, 77) + "...";
        }

        private const string ForwardSubset =
            "Forward may use locals, if/else and ?: on constant conditions, return, foreach over a Sequential, for over a constant range, " +
            "sub-module Forward calls, F.* functions, Tensor.Cat, a + b, x * s and static or instance helper methods (docs/modules.md)";

        private const string ConstructionSubset =
            "module fields are built from constants, constructor parameters, arithmetic, ?:, Math.Max/Min/Round/Abs, helper methods " +
            "and 'new' of built-in or [FusedModule] modules (docs/modules.md)";

        private ExtractionStop Unsupported(IOperation operation, Frame frame, string? what = null) =>
            Error(DiagnosticDescriptors.UnsupportedModuleConstruct, operation.Syntax, frame.Owner,
                what ?? Phrase(operation), frame.InForward ? ForwardSubset : ConstructionSubset);

        private static string Phrase(IOperation operation) => operation switch
        {
            IInvocationOperation => $"the call '{Text(operation.Syntax)}'",
            IObjectCreationOperation => $"'{Text(operation.Syntax)}'",
            IAnonymousFunctionOperation or IDelegateCreationOperation => $"the lambda '{Text(operation.Syntax)}'",
            IWhileLoopOperation or IForLoopOperation or IForEachLoopOperation => $"the loop '{Text(operation.Syntax)}'",
            _ when operation.Syntax is StatementSyntax => $"the statement '{Text(operation.Syntax)}'",
            _ => $"'{Text(operation.Syntax)}'",
        };

        /// <summary>FN0023 for a value position (a module argument, a condition, a constant field), else FN0022.</summary>
        private ExtractionStop NotReadable(IOperation operation, Frame frame)
        {
            bool valuePosition = _valueContext is not null || IsConstantType(operation.Type);
            if (!valuePosition) return Unsupported(operation, frame);
            string reason = operation switch
            {
                IInvocationOperation call => $"(FusedNet cannot call '{call.TargetMethod.ContainingType?.Name}.{call.TargetMethod.Name}' at build time)",
                IPropertyReferenceOperation property => $"(it reads '{property.Property.ContainingType?.Name}.{property.Property.Name}', which is not known at build time)",
                IFieldReferenceOperation field => $"(it reads '{field.Field.ContainingType?.Name}.{field.Field.Name}', which is not known at build time)",
                _ => "(FusedNet folds literals, constants, constructor parameters, arithmetic, comparisons, &&, ||, !, ?:, casts, Math.Max/Min/Round/Abs and helper methods)",
            };
            return Error(DiagnosticDescriptors.NotConstant, operation.Syntax, frame.Owner, _valueContext ?? "this value", Text(operation.Syntax), reason);
        }

        private static bool IsConstantType(ITypeSymbol? type)
        {
            type = UnwrapNullable(type);
            return type?.SpecialType is SpecialType.System_Int32 or SpecialType.System_Single or SpecialType.System_Double
                or SpecialType.System_Boolean or SpecialType.System_Int64 or SpecialType.System_String;
        }

        private static ITypeSymbol? UnwrapNullable(ITypeSymbol? type) =>
            type is INamedTypeSymbol { OriginalDefinition.SpecialType: SpecialType.System_Nullable_T } nullable ? nullable.TypeArguments[0] : type;

        // ---------------------------------------------------------------- expressions

        public Value Eval(IOperation? operation, Frame frame, string? hint = null)
        {
            if (operation is null) throw Silent();
            Tick(operation);
            if (operation.ConstantValue.HasValue)
            {
                object? constant = operation.ConstantValue.Value;
                if (constant is null) return NullValue.Instance;
                return Constants.Normalize(constant) is { } normalized ? new ConstValue(normalized) : throw NotReadable(operation, frame);
            }
            switch (operation)
            {
                case IConversionOperation conversion:
                    if (!conversion.Conversion.Exists) throw Silent();
                    return Convert(Eval(conversion.Operand, frame, hint), conversion, frame);
                case IParameterReferenceOperation parameter:
                    return ReadVariable(parameter.Parameter, frame, operation);
                case ILocalReferenceOperation local:
                    return ReadVariable(local.Local, frame, operation);
                case IInstanceReferenceOperation:
                    return frame.Self is not null ? new ModuleValue(frame.Self) : throw Unsupported(operation, frame);
                case IFieldReferenceOperation field:
                    return ReadField(field, frame);
                case IPropertyReferenceOperation property:
                    return ReadProperty(property, frame);
                case IBinaryOperation binary:
                    return Binary(binary, frame);
                case IUnaryOperation unary:
                    return Unary(unary, frame);
                case IConditionalOperation { WhenFalse: not null } conditional:
                    return Condition(conditional.Condition, frame, "the condition of '?:'")
                        ? Eval(conditional.WhenTrue, frame, hint)
                        : Eval(conditional.WhenFalse, frame, hint);
                case IIsPatternOperation isPattern:
                    return new ConstValue(Match(Eval(isPattern.Value, frame), isPattern.Pattern, frame));
                case IInvocationOperation invocation:
                    return Invoke(invocation, frame);
                case IObjectCreationOperation creation:
                    return Create(creation, frame, hint);
                case ISimpleAssignmentOperation assignment:
                {
                    Value value = Eval(assignment.Value, frame, AssignmentHint(assignment.Target, frame));
                    Assign(assignment.Target, value, frame);
                    return value;
                }
                case ICompoundAssignmentOperation compound:
                {
                    Value value = Combine(compound.OperatorKind, Eval(compound.Target, frame), Eval(compound.Value, frame), compound, frame);
                    Assign(compound.Target, value, frame);
                    return value;
                }
                case IIncrementOrDecrementOperation increment:
                {
                    Value old = Eval(increment.Target, frame);
                    if (old is not ConstValue { Constant: int i }) throw NotReadable(increment, frame);
                    var value = new ConstValue(increment.Kind == OperationKind.Increment ? i + 1 : i - 1);
                    Assign(increment.Target, value, frame);
                    return increment.IsPostfix ? old : value;
                }
                case IDefaultValueOperation defaultValue:
                    return DefaultOf(defaultValue.Type);
                case IArrayCreationOperation { Initializer: not null } array:
                    return EvalArray(array.Initializer.ElementValues, frame, hint);
                case ICollectionExpressionOperation collection:
                    return EvalArray(collection.Elements, frame, hint);
            }
            throw NotReadable(operation, frame);
        }

        private ArrayValue EvalArray(ImmutableArray<IOperation> elements, Frame frame, string? hint)
        {
            var values = new List<Value>();
            var syntax = new List<SyntaxNode>();
            for (int i = 0; i < elements.Length; i++)
            {
                values.Add(Eval(elements[i], frame, hint is null ? null : Join(hint, i.ToString(System.Globalization.CultureInfo.InvariantCulture))));
                syntax.Add(elements[i].Syntax);
            }
            return new ArrayValue(values, syntax);
        }

        public static string Join(string path, string segment) => path.Length == 0 ? segment : path + "." + segment;

        private static Value DefaultOf(ITypeSymbol? type) => UnwrapNullable(type) is { } t && !ReferenceEquals(t, type)
            ? NullValue.Instance
            : type?.SpecialType switch
            {
                SpecialType.System_Int32 => new ConstValue(0),
                SpecialType.System_Single => new ConstValue(0f),
                SpecialType.System_Double => new ConstValue(0d),
                SpecialType.System_Boolean => new ConstValue(false),
                _ => NullValue.Instance,
            };

        private Value Convert(Value value, IConversionOperation conversion, Frame frame)
        {
            if (value is not ConstValue constant) return value; // modules, tensors, null and arrays keep their identity
            ITypeSymbol? target = UnwrapNullable(conversion.Type);
            object? converted = Constants.Convert(constant.Constant, target?.SpecialType ?? SpecialType.None);
            return converted is null ? throw NotReadable(conversion, frame) : new ConstValue(converted);
        }

        private Value ReadVariable(ISymbol symbol, Frame frame, IOperation operation)
        {
            if (frame.Locals.TryGetValue(symbol, out Value? value)) return value;
            if (frame.Self is not null && frame.Self.PrimaryParameters.TryGetValue(symbol, out value)) return value;
            throw NotReadable(operation, frame);
        }

        private bool Condition(IOperation operation, Frame frame, string what)
        {
            string? saved = _valueContext;
            _valueContext ??= what;
            try
            {
                Value value = Eval(operation, frame);
                return value is ConstValue { Constant: bool b } ? b : throw NotReadable(operation, frame);
            }
            finally
            {
                _valueContext = saved;
            }
        }

        private bool Match(Value value, IPatternOperation pattern, Frame frame)
        {
            Tick(pattern);
            switch (pattern)
            {
                case INegatedPatternOperation negated:
                    return !Match(value, negated.Pattern, frame);
                case IConstantPatternOperation constant:
                {
                    Value other = Eval(constant.Value, frame);
                    return Equal(value, other) ?? throw NotReadable(pattern, frame);
                }
                case IBinaryPatternOperation binary:
                    return binary.OperatorKind == BinaryOperatorKind.And
                        ? Match(value, binary.LeftPattern, frame) && Match(value, binary.RightPattern, frame)
                        : Match(value, binary.LeftPattern, frame) || Match(value, binary.RightPattern, frame);
            }
            throw Unsupported(pattern, frame);
        }

        /// <summary>Equality of two build-time values; null when they cannot be compared (tensors).</summary>
        private static bool? Equal(Value a, Value b)
        {
            if (a is NullValue || b is NullValue) return a is NullValue && b is NullValue ? true : a is TensorValue || b is TensorValue ? null : false;
            if (a is ModuleValue ma && b is ModuleValue mb) return ReferenceEquals(ma.Module, mb.Module);
            if (a is ConstValue ca && b is ConstValue cb) return Constants.Binary(BinaryOperatorKind.Equals, ca.Constant, cb.Constant) as bool?;
            return null;
        }

        private Value Binary(IBinaryOperation binary, Frame frame)
        {
            if (binary.OperatorKind is BinaryOperatorKind.ConditionalAnd or BinaryOperatorKind.ConditionalOr)
            {
                bool left = Bool(binary.LeftOperand, frame);
                if (binary.OperatorKind == BinaryOperatorKind.ConditionalAnd ? !left : left) return new ConstValue(left);
                return new ConstValue(Bool(binary.RightOperand, frame));
            }
            Value l = Eval(binary.LeftOperand, frame);
            Value r = Eval(binary.RightOperand, frame);
            return Combine(binary.OperatorKind, l, r, binary, frame);
        }

        private bool Bool(IOperation operation, Frame frame) =>
            Eval(operation, frame) is ConstValue { Constant: bool b } ? b : throw NotReadable(operation, frame);

        /// <summary>A binary operator on evaluated operands: tensor + and * become layers, the rest folds.</summary>
        private Value Combine(BinaryOperatorKind kind, Value l, Value r, IOperation at, Frame frame)
        {
            if (l is TensorValue lt && r is TensorValue rt)
            {
                if (kind == BinaryOperatorKind.Add)
                    return AddLayer(new LayerSpec(0, "", LayerKind.Add, null), frame, "add", new[] { lt.Producer, rt.Producer }, at.Syntax);
                if (kind == BinaryOperatorKind.Multiply)
                    return AddLayer(new LayerSpec(0, "", LayerKind.Mul, null), frame, "mul", new[] { lt.Producer, rt.Producer }, at.Syntax);
                throw Unsupported(at, frame, $"the tensor operator in '{Text(at.Syntax)}' (only a + b and x * s are)");
            }
            if (kind is BinaryOperatorKind.Equals or BinaryOperatorKind.NotEquals && Equal(l, r) is bool equal)
                return new ConstValue(kind == BinaryOperatorKind.Equals ? equal : !equal);
            if (l is ConstValue a && r is ConstValue b)
            {
                if (kind is BinaryOperatorKind.Divide or BinaryOperatorKind.Remainder && a.Constant is int && b.Constant is int divisor && divisor == 0)
                    throw Error(DiagnosticDescriptors.NotConstant, at.Syntax, frame.Owner, _valueContext ?? "this value", Text(at.Syntax), "(integer division by zero)");
                object? result = Constants.Binary(kind, a.Constant, b.Constant);
                if (result is not null) return new ConstValue(result);
            }
            throw NotReadable(at, frame);
        }

        private Value Unary(IUnaryOperation unary, Frame frame)
        {
            Value operand = Eval(unary.Operand, frame);
            if (operand is ConstValue c && Constants.Unary(unary.OperatorKind, c.Constant) is { } result) return new ConstValue(result);
            throw NotReadable(unary, frame);
        }

        private string? AssignmentHint(IOperation target, Frame frame) => target switch
        {
            IFieldReferenceOperation field when frame.Self is not null => Join(frame.Self.HintPath, Segment(field.Field)),
            IPropertyReferenceOperation property when frame.Self is not null => Join(frame.Self.HintPath, Segment(property.Property)),
            _ => null,
        };

        private void Assign(IOperation target, Value value, Frame frame)
        {
            switch (target)
            {
                case ILocalReferenceOperation local:
                    frame.Locals[local.Local] = value;
                    return;
                case IParameterReferenceOperation parameter:
                    if (frame.Locals.ContainsKey(parameter.Parameter)) frame.Locals[parameter.Parameter] = value;
                    else if (!frame.InForward && frame.Self is not null && frame.Self.PrimaryParameters.ContainsKey(parameter.Parameter))
                        frame.Self.PrimaryParameters[parameter.Parameter] = value;
                    else throw Unsupported(target, frame, $"assigning '{Text(target.Syntax)}'");
                    return;
                case IFieldReferenceOperation { Field.IsStatic: false } field when !frame.InForward:
                    SetMember(field.Field, field.Instance, value, frame, target);
                    return;
                case IPropertyReferenceOperation { Property.IsStatic: false, Property.IsIndexer: false } property when !frame.InForward:
                    SetMember(property.Property, property.Instance, value, frame, target);
                    return;
            }
            throw Unsupported(target, frame, frame.InForward
                ? $"assigning '{Text(target.Syntax)}' in Forward (assign locals only)"
                : $"assigning '{Text(target.Syntax)}'");
        }

        private void SetMember(ISymbol member, IOperation? instance, Value value, Frame frame, IOperation at)
        {
            if (instance is null || Eval(instance, frame) is not ModuleValue { } receiver || !ReferenceEquals(receiver.Module, frame.Self))
                throw Unsupported(at, frame, $"assigning '{Text(at.Syntax)}' (a module may set its own fields only)");
            receiver.Module.Members[member] = value;
        }

        // ---------------------------------------------------------------- members

        /// <summary>The weight-name segment of a field or property: [WeightName] or its name.</summary>
        public string Segment(ISymbol member)
        {
            foreach (AttributeData attribute in member.GetAttributes())
                if (SymbolEqualityComparer.Default.Equals(attribute.AttributeClass, _known.WeightNameAttribute) &&
                    attribute.ConstructorArguments.Length == 1 && attribute.ConstructorArguments[0].Value is string segment)
                    return segment;
            return member.Name;
        }

        private Value ReadField(IFieldReferenceOperation reference, Frame frame)
        {
            IFieldSymbol field = reference.Field;
            if (field.IsStatic) return ReadStatic(field, reference, frame);
            Value receiver = reference.Instance is null ? throw NotReadable(reference, frame) : Eval(reference.Instance, frame);
            if (receiver is ModuleValue module && module.Module.Members.TryGetValue(field, out Value? value)) return value;
            throw NotReadable(reference, frame);
        }

        private Value ReadProperty(IPropertyReferenceOperation reference, Frame frame)
        {
            IPropertySymbol property = reference.Property;
            if (property.IsStatic) return ReadStatic(property, reference, frame);
            Value receiver = reference.Instance is null ? throw NotReadable(reference, frame) : Eval(reference.Instance, frame);
            if (receiver is not ModuleValue { Module: var module }) throw NotReadable(reference, frame);
            if (SymbolEqualityComparer.Default.Equals(property.ContainingType, _known.Sequential))
            {
                if (property.IsIndexer && reference.Arguments.Length == 1)
                {
                    Value index = Eval(reference.Arguments[0].Value, frame);
                    if (index is ConstValue { Constant: int i } && i >= 0 && i < module.Children.Count) return new ModuleValue(module.Children[i]);
                    throw Error(DiagnosticDescriptors.UnsupportedModuleArgument, reference.Syntax, frame.Owner,
                        $"index '{Text(reference.Arguments[0].Syntax)}' is not a constant within the {module.Children.Count} children of the Sequential");
                }
                if (property.Name == "Count") return new ConstValue(module.Children.Count);
            }
            if (module.Members.TryGetValue(property, out Value? value)) return value;
            if (property.GetMethod is { } getter && SourceBody(getter) is { } body)
                return RunBody(body, getter, ImmutableArray<IArgumentOperation>.Empty, module, frame, reference.Syntax);
            throw NotReadable(reference, frame);
        }

        /// <summary>A static field or property: a source initialiser or getter is evaluated (once), anything else is not constant.</summary>
        private Value ReadStatic(ISymbol member, IOperation reference, Frame frame)
        {
            if (_statics.TryGetValue(member, out Value? cached)) return cached;
            Value? value = null;
            SyntaxNode? syntax = member.DeclaringSyntaxReferences.FirstOrDefault()?.GetSyntax(_cancellationToken);
            if (syntax is VariableDeclaratorSyntax { Initializer: not null } declarator && member is IFieldSymbol { IsReadOnly: true })
            {
                if (Model(declarator).GetOperation(declarator.Initializer) is IFieldInitializerOperation initializer)
                    value = Eval(initializer.Value, new Frame(null, frame.InForward, frame.Owner));
            }
            else if (syntax is PropertyDeclarationSyntax { Initializer: not null } propertySyntax && member is IPropertySymbol { SetMethod: null })
            {
                if (Model(propertySyntax).GetOperation(propertySyntax.Initializer) is IPropertyInitializerOperation initializer)
                    value = Eval(initializer.Value, new Frame(null, frame.InForward, frame.Owner));
            }
            else if (member is IPropertySymbol { GetMethod: { } getter, SetMethod: null } && SourceBody(getter) is { } body)
            {
                value = RunBody(body, getter, ImmutableArray<IArgumentOperation>.Empty, null, frame, reference.Syntax);
            }
            if (value is null || value is TensorValue) throw NotReadable(reference, frame);
            _statics[member] = value;
            return value;
        }

        // ---------------------------------------------------------------- statements

        private Flow Exec(IOperation operation, Frame frame)
        {
            Tick(operation);
            switch (operation)
            {
                case IBlockOperation block:
                    foreach (IOperation statement in block.Operations)
                        if (Exec(statement, frame) == Flow.Return) return Flow.Return;
                    return Flow.Normal;
                case IVariableDeclarationGroupOperation group:
                    foreach (IVariableDeclarationOperation declaration in group.Declarations)
                    foreach (IVariableDeclaratorOperation declarator in declaration.Declarators)
                    {
                        IVariableInitializerOperation? initializer = declarator.Initializer ?? declaration.Initializer;
                        frame.Locals[declarator.Symbol] = initializer is null ? DefaultOf(declarator.Symbol.Type) : Eval(initializer.Value, frame);
                    }
                    return Flow.Normal;
                case IExpressionStatementOperation expression:
                    Eval(expression.Operation, frame);
                    return Flow.Normal;
                case IConditionalOperation conditional:
                    if (Condition(conditional.Condition, frame, "the condition of 'if'")) return Exec(conditional.WhenTrue, frame);
                    return conditional.WhenFalse is null ? Flow.Normal : Exec(conditional.WhenFalse, frame);
                case IReturnOperation { Kind: OperationKind.Return } ret:
                    frame.Returned = ret.ReturnedValue is null ? null : Eval(ret.ReturnedValue, frame);
                    return Flow.Return;
                case IEmptyOperation:
                    return Flow.Normal;
                case IForEachLoopOperation loop:
                    return ForEach(loop, frame);
                case IForLoopOperation loop:
                    foreach (IOperation before in loop.Before) Exec(before, frame);
                    return Loop(loop, loop.Condition, loop.Body, loop.AtLoopBottom, frame);
                case IWhileLoopOperation { ConditionIsTop: true, ConditionIsUntil: false, IgnoredCondition: null } loop:
                    return Loop(loop, loop.Condition, loop.Body, ImmutableArray<IOperation>.Empty, frame);
            }
            throw Unsupported(operation, frame);
        }

        private Flow Loop(ILoopOperation loop, IOperation? condition, IOperation body, ImmutableArray<IOperation> atBottom, Frame frame)
        {
            for (int iteration = 0; ; iteration++)
            {
                if (condition is not null && !Condition(condition, frame, "the loop condition")) return Flow.Normal;
                if (condition is null || iteration >= MaxLoopIterations)
                    throw Error(DiagnosticDescriptors.ModuleTooLarge, loop.Syntax, frame.Owner,
                        $"the loop '{Text(loop.Syntax)}' runs more than {MaxLoopIterations} times at build time (or has no condition)");
                if (Exec(body, frame) == Flow.Return) return Flow.Return;
                foreach (IOperation step in atBottom) Exec(step, frame);
            }
        }

        private Flow ForEach(IForEachLoopOperation loop, Frame frame)
        {
            Value collection = Eval(loop.Collection, frame);
            List<Value> items;
            if (collection is ModuleValue { Module: var sequential } && (sequential.Role == ModuleRole.Sequential || sequential.Children.Count > 0))
            {
                sequential.Called = true;
                items = sequential.Children.Select(c => (Value)new ModuleValue(c)).ToList();
            }
            else if (collection is ArrayValue array) items = array.Elements;
            else if (collection is NullValue)
                throw Error(DiagnosticDescriptors.NullSubModuleCalled, loop.Collection.Syntax, frame.Owner, Text(loop.Collection.Syntax));
            else throw Unsupported(loop, frame, $"the loop over '{Text(loop.Collection.Syntax)}' (foreach runs over a Sequential)");
            if (loop.LoopControlVariable is not IVariableDeclaratorOperation variable) throw Unsupported(loop, frame);
            foreach (Value item in items)
            {
                frame.Locals[variable.Symbol] = item;
                if (Exec(loop.Body, frame) == Flow.Return) return Flow.Return;
            }
            return Flow.Normal;
        }

        // ---------------------------------------------------------------- method bodies

        /// <summary>The syntax holding a source method's body (method, accessor, arrow clause, local function), or null.</summary>
        private SyntaxNode? SourceBody(IMethodSymbol method)
        {
            foreach (SyntaxReference reference in method.DeclaringSyntaxReferences)
            {
                SyntaxNode syntax = reference.GetSyntax(_cancellationToken);
                switch (syntax)
                {
                    case BaseMethodDeclarationSyntax m when m.Body is not null || m.ExpressionBody is not null:
                    case AccessorDeclarationSyntax a when a.Body is not null || a.ExpressionBody is not null:
                    case ArrowExpressionClauseSyntax:
                    case LocalFunctionStatementSyntax l when l.Body is not null || l.ExpressionBody is not null:
                        return syntax;
                }
            }
            return null;
        }

        /// <summary>Runs a source method (helper, getter or Forward) with its arguments bound; returns what it returned.</summary>
        private Value RunBody(SyntaxNode body, IMethodSymbol method, ImmutableArray<IArgumentOperation> arguments, ModuleInstance? self,
            Frame caller, SyntaxNode at, string? owner = null, Value? singleArgument = null)
        {
            IOperation? operation = Model(body).GetOperation(body, _cancellationToken);
            IOperation? block = operation switch
            {
                IMethodBodyOperation m => (IOperation?)m.BlockBody ?? m.ExpressionBody,
                ILocalFunctionOperation l => l.Body,
                _ => operation,
            };
            if (block is null) throw Silent();
            var frame = new Frame(self, caller.InForward, owner ?? caller.Owner);
            foreach (IArgumentOperation argument in arguments)
                if (argument.Parameter is not null) frame.Locals[argument.Parameter] = Eval(argument.Value, caller);
            if (singleArgument is not null) frame.Locals[method.Parameters[0]] = singleArgument;
            Enter(at, frame.Owner);
            Exec(block, frame);
            Leave();
            return frame.Returned ?? throw Error(DiagnosticDescriptors.InvalidForward, at, frame.Owner,
                $"'{method.Name}' does not return a value on the path taken at build time");
        }
    }
}
