"""The codes the aligner and its compiled kernel (align_kernel.py) share, apart from the kernel so that reading
them does not load Numba (≈110 MB): a process that never aligns a table (the dashboard's readers) never loads it."""

# The actions of a path's steps.
SAME, DROP, NEW, PAIR, NEW_PAIR = 1, 2, 3, 4, 5
# Token flags: what the span checks ask of a token.
F_EMPTY, F_NUMLIKE, F_OP_ONLY, F_VALUELIKE, F_L3BAD, F_NO_DEV = 1, 2, 4, 8, 16, 32
# Role flags.
R_MULTI, R_VALUE, R_LEVEL3 = 1, 2, 4
