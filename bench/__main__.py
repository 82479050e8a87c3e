"""Run every benchmark and update docs/benchmarks.md."""

from __future__ import annotations

from bench import append

if __name__ == "__main__":
    append.main()
