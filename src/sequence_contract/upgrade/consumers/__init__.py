"""`upgrade-check --consumer FILE`: the gate judged on a team's own calls (Pact or HAR).

model.py reads the files, usage.py finds what each call uses and the changes that touch it,
verify.py replays it under the target version (matching.py checks the answer).
"""
