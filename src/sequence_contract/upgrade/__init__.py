"""Will a move to another Sequence-Version break an integration? Documents and live traffic."""
