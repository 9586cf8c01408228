#!/usr/bin/env bash
# Cold start of one inference, per process: FusedNet NativeAOT (x86-64-v3 default, .NET baseline, x86-64-v4),
# FusedNet on the JIT, and ONNX Runtime (C#, JIT), all on the bench's cifar network with the same weights.
# Prints a markdown table for bench/README.md ("Cold start"). Run from the repository root:
#   bash bench/coldstart.sh            # RUNS=20 by default
# Needs hyperfine (Debian package) and /usr/bin/time (package "time"); NativeAOT needs gcc or clang (see docs/aot.md).
set -euo pipefail
cd "$(dirname "$0")/.."
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
RUNS=${RUNS:-20}
for tool in hyperfine /usr/bin/time python3; do
    command -v "$tool" >/dev/null || { echo "coldstart: '$tool' is missing (apt-get install hyperfine time python3)" >&2; exit 1; }
done

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

publish() { # name, extra properties...
    local name=$1; shift
    echo "--- publish FusedNet.ColdStart (NativeAOT, $name)" >&2
    dotnet publish bench/FusedNet.ColdStart -c Release -r linux-x64 -p:PublishAot=true "$@" -o "$work/$name" -tl:off >"$work/$name.log" 2>&1 \
        || { cat "$work/$name.log" >&2; echo "coldstart: publish $name failed" >&2; exit 1; }
}
publish aot-v3
publish aot-base -p:FusedNetDefaultInstructionSet=false
publish aot-v4 -p:IlcInstructionSet=x86-64-v4
echo "--- build (JIT)" >&2
dotnet build bench/FusedNet.ColdStart -c Release -tl:off >"$work/build.log" 2>&1 || { cat "$work/build.log" >&2; exit 1; }
dotnet build bench/FusedNet.Bench -c Release -tl:off >>"$work/build.log" 2>&1 || { cat "$work/build.log" >&2; exit 1; }
jit_dll=bench/FusedNet.ColdStart/bin/Release/net10.0/FusedNet.ColdStart.dll
bench_dll=bench/FusedNet.Bench/bin/Release/net10.0/FusedNet.Bench.dll

# The same seeded weights (42) both ways: safetensors for FusedNet, .onnx for ORT.
dotnet "$bench_dll" --write-onnx cifar "$work/cifar.onnx" >&2
"$work/aot-v3/FusedNet.ColdStart" cifar --save "$work/cifar.safetensors" >/dev/null
"$work/aot-v3/FusedNet.ColdStart" sample --save "$work/sample.safetensors" >/dev/null

names=(aot-v3 aot-base aot-v4 jit ort aot-v3-sample)
declare -A cmd label size
cmd[aot-v3]="$work/aot-v3/FusedNet.ColdStart cifar --weights $work/cifar.safetensors"
cmd[aot-base]="$work/aot-base/FusedNet.ColdStart cifar --weights $work/cifar.safetensors"
cmd[aot-v4]="$work/aot-v4/FusedNet.ColdStart cifar --weights $work/cifar.safetensors"
cmd[jit]="dotnet $jit_dll cifar --weights $work/cifar.safetensors"
cmd[ort]="dotnet $bench_dll --ort-cold-start $work/cifar.onnx"
cmd[aot-v3-sample]="$work/aot-v3/FusedNet.ColdStart sample --weights $work/sample.safetensors"
label[aot-v3]="FusedNet NativeAOT, x86-64-v3 (default of FusedNet.Aot.targets)"
label[aot-base]="FusedNet NativeAOT, .NET baseline (FusedNetDefaultInstructionSet=false)"
label[aot-v4]="FusedNet NativeAOT, x86-64-v4 (IlcInstructionSet=x86-64-v4)"
label[jit]="FusedNet, JIT (dotnet FusedNet.ColdStart.dll)"
label[ort]="ONNX Runtime 1.31.1 from C#, JIT (dotnet FusedNet.Bench.dll --ort-cold-start)"
label[aot-v3-sample]="FusedNet NativeAOT, x86-64-v3: the sample's smaller CifarNet (samples/CifarSample)"
mib() { python3 -c "print(f'{$1/1048576:.1f}')"; }
size[aot-v3]="$(mib "$(stat -c %s "$work/aot-v3/FusedNet.ColdStart")") MiB"
size[aot-base]="$(mib "$(stat -c %s "$work/aot-base/FusedNet.ColdStart")") MiB"
size[aot-v4]="$(mib "$(stat -c %s "$work/aot-v4/FusedNet.ColdStart")") MiB"
jit_dir=$(dirname "$jit_dll"); bench_dir=$(dirname "$bench_dll")
size[aot-v3-sample]=${size[aot-v3]}
size[jit]="$(mib $(( $(stat -c %s "$jit_dir/FusedNet.ColdStart.dll") + $(stat -c %s "$jit_dir/FusedNet.Runtime.dll") ))) MiB + shared .NET runtime"
size[ort]="$(mib $(( $(stat -c %s "$bench_dir/Microsoft.ML.OnnxRuntime.dll") + $(stat -c %s "$bench_dir/runtimes/linux-x64/native/libonnxruntime.so") ))) MiB + shared .NET runtime"

# Every row must print the same logits (within 1e-4·max(1,|x|)): otherwise it measures something else.
reference=$(${cmd[ort]})
for n in "${names[@]}"; do
    [ "$n" != aot-v3-sample ] || continue  # another network: checked against the JIT build of the same binary instead
    out=$(${cmd[$n]})
    python3 - "$reference" "$out" "$n" <<'PY'
import sys
a = [float(x) for x in sys.argv[1].split()]; b = [float(x) for x in sys.argv[2].split()]
if len(a) != len(b) or any(abs(x - y) > 1e-4 * max(1.0, abs(x)) for x, y in zip(a, b)):
    sys.exit(f"coldstart: {sys.argv[3]} disagrees with ONNX Runtime:\n  {a}\n  {b}")
PY
done
[ "$(${cmd[aot-v3-sample]})" = "$(dotnet "$jit_dll" sample --weights "$work/sample.safetensors")" ] \
    || echo "coldstart: note: the sample network's logits differ in the last bits between NativeAOT and JIT (different vector width)" >&2

echo "| process | size | cold start: wall ms, median (min–max) | CPU ms (user + sys, mean) | peak RSS, median MiB |"
echo "|---|---:|---:|---:|---:|"
for n in "${names[@]}"; do
    hyperfine -N --warmup 3 --runs "$RUNS" --export-json "$work/$n.json" "${cmd[$n]}" >/dev/null 2>&1 \
        || { echo "coldstart: hyperfine failed on $n" >&2; exit 1; }
    times=$(python3 -c "
import json,sys; r=json.load(open('$work/$n.json'))['results'][0]
print(f\"{r['median']*1e3:.1f} ({r['min']*1e3:.1f}–{r['max']*1e3:.1f}) | {(r['user']+r['system'])*1e3:.1f}\")")
    rss=()
    for _ in $(seq "$RUNS"); do
        /usr/bin/time -f %M -o "$work/rss" ${cmd[$n]} >/dev/null
        rss+=("$(cat "$work/rss")")
    done
    rss_median=$(printf '%s\n' "${rss[@]}" | python3 -c "import sys,statistics; print(f'{statistics.median(int(x) for x in sys.stdin)/1024:.1f}')")
    echo "| ${label[$n]} | ${size[$n]} | $times | $rss_median |"
done
echo "($RUNS runs each after 3 warm-up runs, $(date -u +%Y-%m-%d), load average $(cut -d' ' -f1-3 /proc/loadavg))"
