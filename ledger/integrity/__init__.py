"""Hash chain, Merkle log, signed checkpoints and verification (R-LED-3, R-LED-4)."""
