"""Side stores beside the ledger, kept outside the event chain: passwords, sessions and sign-in
throttles (`credentials`, `credential_throttle`), the personal-data key store (`personal_data`),
blinded studies' seals (`sealed`), the hash-chained access log (`access_log`) and the signing
key files (`keys`)."""
