#!/usr/bin/env bash
# scripts/fuzz.sh TARGET [SECONDS]: runs one fuzz target under libFuzzer
# with ASan+UBSan for SECONDS (default 60).
#
#   TARGET   config catalog state encode copytext jsonw (tests/fuzz/fuzz_TARGET.c)
#            or "all": each target in turn, SECONDS each
#
# Builds with clang and -Dfuzzing=true in $FUZZ_BUILDDIR (default
# build-fuzz), installing clang's libFuzzer runtime (libclang-rt-N-dev)
# with apt-get when it is missing. The seed corpus tests/fuzz/corpus/TARGET
# is only read; new inputs go to $FUZZ_OUT/TARGET/corpus and crashes, leaks
# and timeouts to $FUZZ_OUT/TARGET/crash-* (default FUZZ_OUT=build-fuzz/findings).
# To keep a finding as a regression, minimise it and copy it into the seed
# corpus, where every `meson test` replays it:
#
#   build-fuzz/tests/fuzz_TARGET -minimize_crashcase=1 -runs=10000 CRASHFILE
#   cp minimized-from-... tests/fuzz/corpus/TARGET/regress-<what>
#
# Extra libFuzzer flags: FUZZ_ARGS="-jobs=2 -workers=2" scripts/fuzz.sh jsonw 600
set -euo pipefail
cd "$(dirname "$0")/.."

targets=(config catalog state encode copytext jsonw)
usage() { echo "usage: scripts/fuzz.sh {${targets[*]}|all} [SECONDS]" >&2; exit 2; }
[[ $# -ge 1 && $# -le 2 ]] || usage
target=$1
seconds=${2:-60}
[[ $seconds =~ ^[0-9]+$ ]] || usage
if [[ $target != all ]]; then
    found=0
    for t in "${targets[@]}"; do [[ $t == "$target" ]] && found=1; done
    (( found )) || usage
fi

builddir=${FUZZ_BUILDDIR:-build-fuzz}
out=${FUZZ_OUT:-$builddir/findings}

command -v clang >/dev/null || { echo "fuzz: clang is not installed (apt-get install clang)" >&2; exit 1; }
# libFuzzer ships in clang's runtime package on Debian.
if [[ ! -f $(clang -print-resource-dir)/lib/linux/libclang_rt.fuzzer-$(uname -m).a ]]; then
    ver=$(clang -dumpversion | cut -d. -f1)
    echo "fuzz: installing libclang-rt-$ver-dev for libFuzzer" >&2
    sudo=(); (( EUID == 0 )) || sudo=(sudo)
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
        --no-install-recommends "libclang-rt-$ver-dev" </dev/null
fi

if [[ ! -f $builddir/build.ninja ]]; then
    CC=clang meson setup "$builddir" -Dfuzzing=true \
        -Db_sanitize=address,undefined -Db_lundef=false --buildtype=debugoptimized \
        -Dc_args=-fno-sanitize-recover=undefined </dev/null
fi
ninja -C "$builddir" </dev/null >/dev/null

export ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=1:detect_leaks=1:strict_string_checks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}
export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$PWD/tests/supp/lsan.supp}
# The targets would log a CRITICAL line per rejected input.
export TAP_FUZZ_QUIET=1
unset DATABASE_URL

run_one() {
    local t=$1 dir=$out/$1 rc=0
    mkdir -p "$dir/corpus"
    local dict=()
    [[ -f tests/fuzz/$t.dict ]] && dict=(-dict="tests/fuzz/$t.dict")
    echo "fuzz: $t for ${seconds}s; new inputs in $dir/corpus" >&2
    # shellcheck disable=SC2086 # FUZZ_ARGS is a list of flags
    "$builddir/tests/fuzz_$t" -max_total_time="$seconds" -timeout=10 \
        -rss_limit_mb=2048 -max_len=8192 -print_final_stats=1 \
        -artifact_prefix="$dir/" "${dict[@]}" ${FUZZ_ARGS:-} \
        "$dir/corpus" "tests/fuzz/corpus/$t" || rc=$?
    if compgen -G "$dir/crash-*" >/dev/null || compgen -G "$dir/leak-*" >/dev/null ||
       compgen -G "$dir/timeout-*" >/dev/null || compgen -G "$dir/oom-*" >/dev/null; then
        echo "fuzz: $t: findings in $dir:" >&2
        ls "$dir" | grep -E '^(crash|leak|timeout|oom)-' | sed 's/^/  /' >&2
        rc=1
    fi
    return "$rc"
}

status=0
if [[ $target == all ]]; then
    for t in "${targets[@]}"; do run_one "$t" || status=1; done
else
    run_one "$target" || status=$?
fi
exit "$status"
