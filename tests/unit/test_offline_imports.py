"""R-LED-4: the offline verifier needs nothing but the standard library and `cryptography`:
it imports no other module of the project, and no other third-party package."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SELF_CONTAINED = {
    "ledger",
    "ledger.integrity",
    "ledger.integrity.chain",
    "ledger.integrity.entries",
    "ledger.integrity.merkle",
    "ledger.integrity.note",
    "ledger.integrity.offline",
    "ledger.integrity.records",
    "ledger.integrity.tlog_proof",
    "ledger.integrity.tree_audit",
}
# cryptography and its native bindings (`_openssl` is its Rust extension; cffi on some builds).
CRYPTOGRAPHY = {
    "cryptography",
    "_openssl",
    "_cffi_backend",
    "cffi",
    "pycparser",
    "typing_extensions",
}


def test_r_led_4_offline_verifier_imports_only_stdlib_cryptography_and_itself() -> None:
    # Given a fresh interpreter / When only the offline verifier is imported
    probe = "import json, sys, ledger.integrity.offline; print(json.dumps(sorted(sys.modules)))"
    result = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True
    )
    modules = json.loads(result.stdout)
    # Then the only project modules loaded are the self-contained ones
    assert {m for m in modules if m.split(".")[0] == "ledger"} <= SELF_CONTAINED
    # And every other top-level package is the standard library or cryptography
    foreign = {
        m.split(".")[0]
        for m in modules
        if m.split(".")[0] not in sys.stdlib_module_names
        and m.split(".")[0]
        not in CRYPTOGRAPHY | {"ledger", "__main__", "_distutils_hack", "typing_extensions"}
        and not m.startswith("__editable__")
    }
    assert foreign == set()


def test_r_led_4_offline_verifier_modules_do_not_import_the_rest_of_the_project() -> None:
    # Given the source of each self-contained module
    for name in SELF_CONTAINED - {"ledger", "ledger.integrity"}:
        source = (ROOT / (name.replace(".", "/") + ".py")).read_text()
        imported = [
            line.split()[1]
            for line in source.splitlines()
            if line.startswith(("from ledger", "import ledger"))
        ]
        # Then each imports only other self-contained modules
        assert set(imported) <= SELF_CONTAINED, (name, imported)
