#!/bin/sh
# Wall time, random-number floor and peak memory of the engine at 1M and 4M paths, and the
# 1-vs-2-thread speed-up, for the synthetic benchmark scenario and the bundled Guangxi one.
# Each line is one process (examples/measure.rs), so each peak RSS is its own; then the full
# CLI run (which also writes the output files) under /usr/bin/time for its wall time and peak
# RSS. The 1-thread line also times recording the cells alone (--recording, see
# examples/measure.rs). Each measure line also gives the throughput in indicator-years (simulated
# cells per path times paths) per second of CPU, i.e. per core, beside the floor ratio; the floor
# draws what the engine draws (benches/support/floor.rs). Usage: sh benches/measure.sh   (from
# the repository root; takes a few minutes).
set -e
cargo build --release --quiet --example measure --bin plancast
measure=target/release/examples/measure
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
for scenario in benches/scenarios/synthetic.toml scenarios/guangxi-14th-fyp.toml; do
    $measure "$scenario" 1e6 1 --recording
    $measure "$scenario" 1e6 2
    $measure "$scenario" 4e6 2
    for paths in 1e6 4e6; do
        out=$(mktemp -d)
        /usr/bin/time -f "  plancast run $scenario --paths $paths: %e s wall, peak RSS %M KB" \
            target/release/plancast run "$scenario" --paths "$paths" --seed 42 -q --no-charts --out "$out/run"
        rm -rf "$out"
    done
done
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
