"""复核清单 (issue 16): which self-evaluations the 绩效科 re-checks first, and why.

The rules are SQL (the review_rules view in dashboard/sql/review_rules.sql, the review_signal_rows macro in
dashboard/sql/review_signals.sql, read by queries/review_signals.sql and queries/review_priority.sql).
This package brings what SQL cannot hold:

    words.py           the word lists and thresholds of vague_words.toml (data, not code)
    notes.py           near-duplicate deviation notes: MinHash/LSH candidates, rapidfuzz check, groups
    signals.py         the review queries' parameters for a selection, the priority list and its signals
    export.py          the list as an XLSX workbook for the review team
    cli.py             `jixiao review`
"""
