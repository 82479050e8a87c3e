"""Run every benchmark and update docs/benchmarks.md (`make bench`).

BENCH_LEAVES=50000 shortens the transparency-log run; the genealogy benchmark reuses the
1,000,000-event ledger in celltrace-data/generated/ once generated (about 10 minutes).
"""

from __future__ import annotations

from bench import api, append, labels, projections, transparency

if __name__ == "__main__":
    append.main()
    labels.main()
    transparency.main()
    api.main()
    projections.main([])
