"""fronts: a corpus of publications in, ranked and explained research fronts out.

The run is declared in `fronts.pipeline`; the command line is `fronts.cli`; every warehouse
table is documented in `fronts.schemas` (and docs/warehouse.md). Importing this package does
nothing else: each module is imported where it is used.
"""
