"""`upgrade-check --consumer FILE`: the gate judged on a team's own calls (Pact or HAR).

files.py reads the files (pact.py, har.py), usage.py finds each call's operation and fields,
judge.py matches the documented changes to them, verify.py replays them under the target
version (matching.py checks the answers), outcome.py turns it all into report rows.
"""
