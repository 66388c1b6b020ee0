"""`upgrade-check --consumer FILE`: the gate judged on a team's own calls (Pact or HAR).

usage.py reads the files (pact.py, har.py) and finds what each call uses, judge.py matches
the changes to it, verify.py replays it under the target version (matching.py checks the
answer); check.py turns the verdicts into rows.
"""
