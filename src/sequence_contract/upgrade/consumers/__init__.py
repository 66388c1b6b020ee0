"""`upgrade-check --consumer FILE`: the gate judged on a team's own calls (Pact or HAR): read
(model), used and touched (usage), replayed (verify) and checked (matching)."""
