"""Imported by the upload parser's fork server (isolate.PRELOAD): Numba and the compiled row aligner loaded once
there, so each child it forks starts with them instead of spending ≈1.8 s loading them itself."""

from dashboard.ingest import align_kernel

align_kernel.warm()
