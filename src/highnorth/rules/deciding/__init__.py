"""Deciding: rules over exposures (the truth table), explanations, decision maps."""
