"""Pure judgements on fetched pages: which links point to the Collectif and whether a visitor sees them.

Nothing in this package does I/O: every function takes strings and returns values, so it is tested on
small literal inputs.
"""
