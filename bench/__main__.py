"""Run every benchmark and update docs/benchmarks.md (`make bench`; BENCH_LEAVES=50000 for a
quick transparency-log run)."""

from __future__ import annotations

from bench import api, append, labels, transparency

if __name__ == "__main__":
    append.main()
    labels.main()
    transparency.main()
    api.main()
