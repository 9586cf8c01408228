#!/usr/bin/env bash
# Package check (docs/packaging.md): packs the FusedNet NuGet package from this clone and uses it the way a user
# does, from a project outside the repository that references the package only (no project references):
#   1. `dotnet pack FusedNet.sln -c Release` produces exactly FusedNet.<version>.nupkg and .snupkg, with the key entries;
#   2. a fresh console app declares a network with attributes, builds it from random weights, runs Forward and
#      ForwardUnfused, and checks in code that they agree and are finite (exit code 0);
#   3. FN0100: a project whose generator is removed from @(Analyzer) fails with FN0100 before the compiler runs; with
#      ExcludeAssets="analyzers" the build either runs the generator (SDKs that ignore it, dotnet/sdk#1212) or fails
#      with FN0100; a project that gets FusedNet through a library's ProjectReference compiles and runs its network;
#   4. the first app is published with NativeAOT, the native binary runs and prints the same outputs (within tolerance).
# Run from the repository root: bash .ci/package-check.sh   (no stdin; works in a fresh clone with only the .NET SDK,
# installs a C toolchain for NativeAOT with apt-get only if none is present).
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
export CI="${CI:-true}"

start=$(date +%s)
step() { echo; echo "=== package-check: $*"; }
fail() { echo "package-check FAILED: $*" >&2; exit 1; }

version=$(sed -n 's:.*<Version>\(.*\)</Version>.*:\1:p' Directory.Build.props | head -n 1)
[ -n "$version" ] || fail "no <Version> in Directory.Build.props"

work=$(mktemp -d "${TMPDIR:-/tmp}/fusednet-package-check.XXXXXX")
cleanup() { rm -rf "$work"; }
trap cleanup EXIT
feed="$work/feed"          # the local package source the pack writes to
packages="$work/packages"  # a private global-packages folder: never a FusedNet $version cached by an earlier run
mkdir -p "$feed" "$packages"
export NUGET_PACKAGES="$packages"

# ---------------------------------------------------------------------------------------------------------------
step "pack (dotnet pack FusedNet.sln -c Release)"
dotnet pack FusedNet.sln -c Release -o "$feed" 2>&1 | tee "$work/pack.log"
status=${PIPESTATUS[0]}
[ "$status" -eq 0 ] || fail "dotnet pack exited $status"
if grep -E "warning NU[0-9]+" "$work/pack.log"; then fail "dotnet pack reported NuGet warnings (above)"; fi

produced=$(cd "$feed" && ls -1 | sort | tr '\n' ' ')
expected="FusedNet.$version.nupkg FusedNet.$version.snupkg "
[ "$produced" = "$expected" ] || fail "pack produced [$produced], expected exactly [$expected]"
nupkg="$feed/FusedNet.$version.nupkg"

step "package contents"
python3 - "$nupkg" "$feed/FusedNet.$version.snupkg" <<'PY'
import sys, zipfile, re
nupkg, snupkg = sys.argv[1], sys.argv[2]
with zipfile.ZipFile(nupkg) as z:
    names = sorted(i.filename for i in z.infolist())
    for i in sorted(z.infolist(), key=lambda i: i.filename):
        print(f"{i.file_size:>10}  {i.filename}")
    nuspec = z.read("FusedNet.nuspec").decode("utf-8-sig")
required = ["lib/net10.0/FusedNet.Runtime.dll", "lib/net10.0/FusedNet.Runtime.xml",
            "analyzers/dotnet/cs/FusedNet.Generator.dll", "build/FusedNet.targets",
            "buildTransitive/FusedNet.targets", "README.md", "LICENSE"]
missing = [n for n in required if n not in names]
problems = [f"missing entry {n}" for n in missing]
# Only the runtime is a library of the package: nothing of Roslyn, no other assembly in lib/ or analyzers/.
for n in names:
    if n.endswith(".dll") and n not in required:
        problems.append(f"unexpected assembly {n}")
# No NuGet dependencies at all: the generator's Roslyn references are PrivateAssets, the generator project is not one.
deps = re.findall(r"<dependency\s[^>]*>", nuspec)
if deps:
    problems.append("unexpected dependencies: " + " ".join(deps))
for field in ("<license type=\"expression\">MIT</license>", "<readme>README.md</readme>",
              "<repository type=\"git\" url=\"https://github.com/fusednet/fusednet\""):
    if field not in nuspec:
        problems.append(f"nuspec lacks {field}")
with zipfile.ZipFile(snupkg) as z:
    if "lib/net10.0/FusedNet.Runtime.pdb" not in z.namelist():
        problems.append("snupkg lacks lib/net10.0/FusedNet.Runtime.pdb")
if problems:
    print("\n".join("package-check FAILED: " + p for p in problems), file=sys.stderr)
    sys.exit(1)
print(f"{len(names)} entries; all {len(required)} key entries present; no dependencies; snupkg has the runtime pdb")
PY

# The generator in the package must be the Release build of this clone (not a stale or Debug dll).
release_generator="generator/bin/Release/netstandard2.0/FusedNet.Generator.dll"
[ -f "$release_generator" ] || fail "$release_generator was not built by the pack"
python3 -c 'import sys, zipfile; sys.stdout.buffer.write(zipfile.ZipFile(sys.argv[1]).read("analyzers/dotnet/cs/FusedNet.Generator.dll"))' \
    "$nupkg" > "$work/packaged-generator.dll"
cmp -s "$work/packaged-generator.dll" "$release_generator" \
    || fail "analyzers/dotnet/cs/FusedNet.Generator.dll differs from $release_generator"
echo "analyzers/dotnet/cs/FusedNet.Generator.dll is $release_generator"

# ---------------------------------------------------------------------------------------------------------------
# Consumer projects live outside the repository, so no Directory.Build.props/Packages.props of ours applies.
# Their nuget.config adds the local feed to the sources restore already uses (the user's/machine's NuGet.Config).
cat > "$work/nuget.config" <<XML
<?xml version="1.0" encoding="utf-8"?>
<configuration>
  <packageSources>
    <add key="fusednet-local" value="$feed" />
  </packageSources>
</configuration>
XML

app="$work/app"
step "consumer app: dotnet new console + dotnet add package FusedNet --version $version"
dotnet new console --output "$app" --name PackageConsumer --framework net10.0 >/dev/null
cd "$app"
dotnet add package FusedNet --version "$version"
grep -q "Include=\"FusedNet\" Version=\"$version\"" PackageConsumer.csproj || fail "dotnet add package did not add FusedNet $version"
grep -q "ProjectReference" PackageConsumer.csproj && fail "the consumer must not have project references"
cp "$repo/.ci/package-check/Program.cs" Program.cs

step "consumer app: build and run (JIT)"
dotnet build -c Release 2>&1 | tee "$work/app-build.log"
[ "${PIPESTATUS[0]}" -eq 0 ] || fail "the consumer app did not build against the package"
grep -q "FusedNet.Generator" obj/project.assets.json || fail "the generator is not among the restored analyzers"
set +e
dotnet bin/Release/net10.0/PackageConsumer.dll > "$work/jit.out" 2>&1
status=$?
set -e
cat "$work/jit.out"
[ "$status" -eq 0 ] || fail "the consumer app exited $status (JIT)"
grep -q "^check: ok" "$work/jit.out" || fail "the consumer app did not print its check line"

# ---------------------------------------------------------------------------------------------------------------
# A consumer project whose PackageReference and extra MSBuild lines are given; the consumer program is its Program.cs.
consumer_project() { # dir, PackageReference attributes, extra project XML
    mkdir -p "$1"
    cat > "$1/$(basename "$1").csproj" <<XML
<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup>
    <OutputType>Exe</OutputType>
    <TargetFramework>net10.0</TargetFramework>
  </PropertyGroup>
  <ItemGroup>
    <PackageReference Include="FusedNet" Version="$version" $2 />
  </ItemGroup>
$3
</Project>
XML
    cp "$repo/.ci/package-check/Program.cs" "$1/Program.cs"
}

step "FN0100: the generator removed from @(Analyzer) must fail the build with FN0100, before the compiler"
# The usual way a build turns a package's analyzers off: remove them from @(Analyzer) before CoreCompile.
consumer_project "$work/NoGenerator" "" '  <Target Name="DropAnalyzers" BeforeTargets="CoreCompile">
    <ItemGroup><Analyzer Remove="@(Analyzer)" Condition="'"'%(Filename)'"' == '"'FusedNet.Generator'"'" /></ItemGroup>
  </Target>'
cd "$work/NoGenerator"
set +e
dotnet build -c Release > "$work/fn0100.log" 2>&1
status=$?
set -e
grep -E "error (FN0100|CS[0-9]+)" "$work/fn0100.log" | sort -u | head -n 3 || true
[ "$status" -ne 0 ] || fail "the project without the generator built (exit 0): FN0100 did not fire"
grep -q "error FN0100" "$work/fn0100.log" || { cat "$work/fn0100.log"; fail "the build failed, but without FN0100"; }
if grep -q "error CS" "$work/fn0100.log"; then cat "$work/fn0100.log"; fail "FN0100 must stop the build before the compiler runs"; fi
echo "FN0100 reported (exit $status); the compiler did not run"

step "the package README's code (runtime/PACKAGE.md) compiles and runs against the package"
consumer_project "$work/PackageReadme" "" ""
python3 - "$repo/runtime/PACKAGE.md" > "$work/PackageReadme/Program.cs" <<'PY'
import re, sys
blocks = re.findall(r"```csharp\n(.*?)```", open(sys.argv[1], encoding="utf-8").read(), re.S)
if not blocks:
    sys.exit("package-check FAILED: no csharp block in runtime/PACKAGE.md")
print(blocks[0])
PY
cd "$work/PackageReadme"
dotnet build -c Release > "$work/readme.log" 2>&1 || { cat "$work/readme.log"; fail "the code of runtime/PACKAGE.md does not compile against the package"; }
dotnet bin/Release/net10.0/PackageReadme.dll || fail "the code of runtime/PACKAGE.md exited non-zero"
echo "runtime/PACKAGE.md's example builds and runs"

step "a project that gets FusedNet only through a ProjectReference to a library: its network compiles and runs"
mkdir -p "$work/Library"
cat > "$work/Library/Library.csproj" <<XML
<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup>
    <TargetFramework>net10.0</TargetFramework>
  </PropertyGroup>
  <ItemGroup>
    <PackageReference Include="FusedNet" Version="$version" />
  </ItemGroup>
</Project>
XML
echo 'namespace Library { public static class Marker { public const int Value = 1; } }' > "$work/Library/Marker.cs"
mkdir -p "$work/Transitive"
cat > "$work/Transitive/Transitive.csproj" <<XML
<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup>
    <OutputType>Exe</OutputType>
    <TargetFramework>net10.0</TargetFramework>
  </PropertyGroup>
  <ItemGroup>
    <ProjectReference Include="../Library/Library.csproj" />
  </ItemGroup>
</Project>
XML
cp "$repo/.ci/package-check/Program.cs" "$work/Transitive/Program.cs"
cd "$work/Transitive"
dotnet build -c Release > "$work/transitive.log" 2>&1 || { cat "$work/transitive.log"; fail "the transitive consumer did not build"; }
dotnet bin/Release/net10.0/Transitive.dll > "$work/transitive.out" 2>&1 || { cat "$work/transitive.out"; fail "the transitive consumer failed"; }
grep "^check: " "$work/transitive.out"
grep -q "^check: ok" "$work/transitive.out" || fail "the transitive consumer did not print its check line"

step "ExcludeAssets=\"analyzers\": either the generator still runs (SDKs that ignore it for analyzers) or FN0100"
consumer_project "$work/ExcludeAnalyzers" 'ExcludeAssets="analyzers"' ""
cd "$work/ExcludeAnalyzers"
set +e
dotnet build -c Release -v:n > "$work/exclude.log" 2>&1
status=$?
set -e
if [ "$status" -eq 0 ]; then
    grep -q "/analyzer:[^ ]*FusedNet.Generator.dll" "$work/exclude.log" \
        || fail "ExcludeAssets=\"analyzers\" built without the generator and without FN0100"
    echo "this SDK ignores ExcludeAssets=\"analyzers\" for analyzers (dotnet/sdk#1212): the generator ran and the build succeeded"
else
    grep -q "error FN0100" "$work/exclude.log" || { cat "$work/exclude.log"; fail "ExcludeAssets=\"analyzers\" failed without FN0100"; }
    if grep -q "error CS" "$work/exclude.log"; then cat "$work/exclude.log"; fail "FN0100 must stop the build before the compiler runs"; fi
    echo "this SDK honours ExcludeAssets=\"analyzers\": FN0100 reported; the compiler did not run"
fi

# ---------------------------------------------------------------------------------------------------------------
step "NativeAOT publish of the consumer app (linux-x64)"
# NativeAOT (.NET 10) links with clang, or with gcc when there is no clang (the ILCompiler targets' fallback; that is
# what links here), through the system's ld (binutils) against libc6-dev; it strips symbols with objcopy (binutils).
# zlib is not needed: the NativeAOT runtime pack ships libz.a. Probe exactly that: link a C program, find objcopy;
# install gcc, libc6-dev and binutils only when the probe fails.
aot_toolchain_ok() {
    local cc
    cc=$(command -v clang || command -v gcc || true)
    [ -n "$cc" ] && command -v objcopy >/dev/null 2>&1 \
        && printf 'int main(void) { return 0; }\n' | "$cc" -x c - -o "$work/link-probe" >/dev/null 2>&1
}
if aot_toolchain_ok; then
    echo "NativeAOT toolchain: $(command -v clang || command -v gcc) ($("$(command -v clang || command -v gcc)" --version | head -n 1)), $(command -v objcopy)"
else
    echo "no working C linker (clang or gcc with libc6-dev) or no objcopy: installing gcc, libc6-dev and binutils"
    command -v apt-get >/dev/null 2>&1 || fail "NativeAOT needs clang or gcc, libc6-dev and objcopy; install them (no apt-get here)"
    sudo_cmd=""; [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
    $sudo_cmd apt-get update -qq </dev/null \
        && DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq gcc libc6-dev binutils </dev/null \
        || fail "could not install gcc, libc6-dev and binutils, which NativeAOT needs to link"
    aot_toolchain_ok || fail "NativeAOT toolchain still not working after installing gcc, libc6-dev and binutils"
fi
cd "$app"
dotnet publish -c Release -r linux-x64 -p:PublishAot=true -o "$work/aot" 2>&1 | tee "$work/aot-publish.log"
[ "${PIPESTATUS[0]}" -eq 0 ] || fail "NativeAOT publish failed"
binary="$work/aot/PackageConsumer"
[ -x "$binary" ] || fail "no native binary at $binary"
set +e
"$binary" > "$work/aot.out" 2>&1
status=$?
set -e
cat "$work/aot.out"
[ "$status" -eq 0 ] || fail "the NativeAOT binary exited $status"
grep -q "^check: ok" "$work/aot.out" || fail "the NativeAOT binary did not print its check line"

step "NativeAOT outputs vs JIT outputs"
python3 - "$work/jit.out" "$work/aot.out" <<'PY'
import sys
def outputs(path):
    rows = {}
    for line in open(path):
        if line.startswith("output "):
            _, which, values = line.split(" ", 2)
            rows[which] = [float(v) for v in values.split()]
    return rows
jit, aot = outputs(sys.argv[1]), outputs(sys.argv[2])
if not jit or set(jit) != set(aot):
    sys.exit(f"package-check FAILED: output rows differ: JIT {sorted(jit)} vs AOT {sorted(aot)}")
worst = 0.0
for which in jit:
    a, b = jit[which], aot[which]
    if len(a) != len(b):
        sys.exit(f"package-check FAILED: {which}: {len(a)} JIT values vs {len(b)} AOT values")
    for i, (x, y) in enumerate(zip(a, b)):
        tol = 1e-4 * max(1.0, abs(x))
        if not abs(x - y) <= tol:
            sys.exit(f"package-check FAILED: {which}[{i}]: JIT {x} vs AOT {y} (tolerance {tol:g})")
        worst = max(worst, abs(x - y))
print(f"NativeAOT and JIT outputs agree: {len(jit)} rows, max |difference| = {worst:.3g} (tolerance 1e-4*max(1,|x|))")
PY
size=$(stat -c %s "$binary")
echo "NativeAOT binary: $size bytes ($(( (size + 524288) / 1048576 )) MiB)"

echo
echo "package-check passed in $(( $(date +%s) - start )) s: FusedNet.$version.nupkg + .snupkg, consumer app (JIT and NativeAOT), transitive consumer, FN0100"
