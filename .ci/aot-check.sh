#!/usr/bin/env bash
# NativeAOT check (issue 6): publish the main sample with NativeAOT using the defaults of
# runtime/build/FusedNet.Aot.targets, and fail unless
#   - the publish prints no trim/AOT warning (IL2xxx, IL3xxx) and the instruction set reached ILC,
#   - the native binary prints the same logits as the JIT run (`dotnet run -c Release --project
#     samples/CifarSample`) within 1e-4·max(1,|x|) (the two may use different vector widths, so not bit-equal),
#   - its "vector width:" line names Vector128/256/512 and does not say "(software)".
# Then the same for the opt-out build (.NET's baseline instruction set: Vector128 kernels) and a
# PublishTrimmed build (warnings and logits). AOT_CHECK_BASELINE=0 / AOT_CHECK_TRIMMED=0 skip those two.
# Run from the repository root: bash .ci/aot-check.sh (no input; installs a C toolchain only if missing).
set -euo pipefail
cd "$(dirname "$0")/.."
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

start=$(date +%s)
fail() { echo "aot-check: FAILED: $*" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

case "$(uname -m)" in
    x86_64) rid=linux-x64 ;;
    aarch64) rid=linux-arm64 ;;
    *) fail "no NativeAOT runtime identifier known for $(uname -m)" ;;
esac

# NativeAOT links the native binary with clang, or gcc when clang is missing (this is what the ILCompiler
# package's targets probe for), using binutils (ld.bfd, objcopy) and the C library's development files.
# zlib and brotli come as static libraries inside the runtime pack, so nothing else is needed.
toolchain_ok() {
    { command -v clang >/dev/null || command -v gcc >/dev/null; } && command -v objcopy >/dev/null && command -v ld >/dev/null \
        && [ -e "$( (command -v gcc >/dev/null && gcc -print-file-name=crt1.o) || clang -print-file-name=crt1.o)" ]
}
if ! toolchain_ok; then
    echo "=== installing the C toolchain NativeAOT links with (gcc, binutils, libc6-dev)"
    command -v apt-get >/dev/null || fail "no C compiler/linker for NativeAOT and no apt-get to install one (need clang or gcc, binutils, libc dev files)"
    SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends gcc binutils libc6-dev >/dev/null
    toolchain_ok || fail "C toolchain still incomplete after installing gcc, binutils, libc6-dev"
fi
echo "linker driver: $(command -v clang || command -v gcc)"

# Logits of the sample's "class   fused logit   unfused logit" table: one line "fused unfused" per class.
logits() { awk '/^class +fused logit +unfused logit/ { t = 1; next } t && /^ *[0-9]+ +[-0-9.]+ +[-0-9.]+ *$/ { print $2, $3; next } t { t = 0 }' "$1"; }

# Compares two logit tables within 1e-4·max(1,|x|).
compare_logits() { # label, expected file, actual file
    local n_expected n_actual
    n_expected=$(wc -l <"$2"); n_actual=$(wc -l <"$3")
    [ "$n_expected" -gt 0 ] || fail "$1: no logits found in the JIT run's output"
    [ "$n_expected" -eq "$n_actual" ] || fail "$1: $n_actual logit rows, the JIT run printed $n_expected"
    paste -d' ' "$2" "$3" | awk -v label="$1" '
        function abs(x) { return x < 0 ? -x : x }
        function check(e, a, what) {
            tol = 1e-4 * (abs(e) > 1 ? abs(e) : 1)
            if (abs(a - e) > tol) { printf "aot-check: %s: class %d %s logit %s, JIT %s (tolerance %g)\n", label, NR - 1, what, a, e, tol > "/dev/stderr"; bad = 1 }
            d = abs(a - e); if (d > worst) worst = d
        }
        { check($1, $3, "fused"); check($2, $4, "unfused") }
        END { if (bad) exit 1; printf "%s: %d classes x 2 paths match the JIT run (max |diff| %.2e)\n", label, NR, worst }' \
        || fail "$1: logits differ from the JIT run"
}

# The sample's "vector width: ..." line. The new format says "(hardware-accelerated)" or "(software)"; the
# older one ("Vector512 (AVX-512)" or a bare "Vector256") said neither and is accepted only while the
# sample's source does not know the new words.
check_width() { # label, output file, expected width or "" for any
    local line width
    line=$(grep -m1 '^vector width:' "$2") || fail "$1: no 'vector width:' line in the output"
    echo "$1: $line"
    width=$(grep -oE 'Vector(128|256|512)' <<<"$line" | head -n1) || fail "$1: '$line' names no Vector128/256/512"
    case "$line" in *"(software)"*) fail "$1: vector width runs in software: '$line'" ;; esac
    if grep -q 'hardware-accelerated' samples/CifarSample/Program.cs; then
        case "$line" in *"(hardware-accelerated)"*) ;; *) fail "$1: '$line' does not say (hardware-accelerated)" ;; esac
        if [ -n "$3" ] && [ "$width" != "$3" ]; then fail "$1: expected $3, got '$line'"; fi
    else
        echo "$1: (the sample prints the older vector-width format, which does not say whether the width is hardware-accelerated)"
    fi
}

publish() { # label, output dir, extra properties...
    local label=$1 out=$2; shift 2
    local log="$work/$label.log" t0 warnings
    t0=$(date +%s)
    set +e
    dotnet publish samples/CifarSample -c Release -r "$rid" "$@" -o "$out" -tl:off >"$log" 2>&1
    local status=$?
    set -e
    if [ "$status" -ne 0 ]; then tail -n 40 "$log" >&2; fail "$label: dotnet publish exited with $status"; fi
    warnings=$(grep -E 'warning IL[23][0-9]{3}' "$log" | sort -u || true)
    if [ -n "$warnings" ]; then echo "$warnings" >&2; fail "$label: $(wc -l <<<"$warnings") trim/AOT warning(s) (IL2xxx/IL3xxx)"; fi
    echo "$label: published in $(( $(date +%s) - t0 )) s, 0 IL2xxx/IL3xxx warnings"
}

echo "=== JIT run (reference): dotnet run -c Release --project samples/CifarSample"
dotnet run -c Release --project samples/CifarSample >"$work/jit.out" 2>&1 || { cat "$work/jit.out" >&2; fail "the JIT run failed"; }
logits "$work/jit.out" >"$work/jit.logits"
grep -m1 '^vector width:' "$work/jit.out" | sed 's/^/JIT: /' || true

rsp=samples/CifarSample/obj/Release/net10.0/$rid/native/CifarSample.ilc.rsp
run_native() { # label, binary
    local status=0
    "$2" >"$work/$1.out" 2>&1 || status=$?
    if [ "$status" -ne 0 ]; then cat "$work/$1.out" >&2; fail "$1: $2 exited with $status"; fi
    logits "$work/$1.out" >"$work/$1.logits"
    compare_logits "$1" "$work/jit.logits" "$work/$1.logits"
}

echo "=== NativeAOT, FusedNet default instruction set: dotnet publish samples/CifarSample -c Release -r $rid -p:PublishAot=true"
publish aot "$work/aot" -p:PublishAot=true
instruction_set=$(grep -oE '^--instruction-set:.*' "$rsp" || true)
if [ "$rid" = linux-x64 ]; then
    [ "$instruction_set" = "--instruction-set:x86-64-v3" ] || fail "ILC did not get x86-64-v3 from FusedNet.Aot.targets ($rsp: '${instruction_set:-no --instruction-set line}')"
fi
echo "aot: ILC ${instruction_set:-(no --instruction-set: the platform baseline)}"
run_native aot "$work/aot/CifarSample"
check_width aot "$work/aot.out" "$([ "$rid" = linux-x64 ] && echo Vector256 || echo Vector128)"
echo "aot: native binary $(stat -c %s "$work/aot/CifarSample") bytes ($(du -h "$work/aot/CifarSample" | cut -f1))"

if [ "${AOT_CHECK_BASELINE:-1}" != 0 ] && [ "$rid" = linux-x64 ]; then
    echo "=== NativeAOT, .NET baseline instruction set (-p:FusedNetDefaultInstructionSet=false)"
    publish aot-baseline "$work/aot-baseline" -p:PublishAot=true -p:FusedNetDefaultInstructionSet=false
    if grep -qE '^--instruction-set:' "$rsp"; then fail "aot-baseline: the opt-out still passed $(grep -E '^--instruction-set:' "$rsp") to ILC"; fi
    run_native aot-baseline "$work/aot-baseline/CifarSample"
    check_width aot-baseline "$work/aot-baseline.out" Vector128
    echo "aot-baseline: native binary $(stat -c %s "$work/aot-baseline/CifarSample") bytes"
fi

if [ "${AOT_CHECK_TRIMMED:-1}" != 0 ]; then
    echo "=== trimmed, self-contained (JIT): -p:PublishTrimmed=true"
    publish trimmed "$work/trimmed" -p:PublishTrimmed=true
    run_native trimmed "$work/trimmed/CifarSample"
fi

echo "aot-check passed in $(( $(date +%s) - start )) s"
