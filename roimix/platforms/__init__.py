"""From a plan to the ad platforms' own settings (issue 18, item 1): 日预算 and a suggested 目标ROI per
channel × segment (× day) of a plan, the platforms' limits as data, and the ratio of platform-reported to
incremental GMV learned from history.

Shell level: pure functions over tables (:mod:`.limits`, :mod:`.ratios`, :mod:`.settings`) and the files
they are written to (:mod:`.write`); the CLI (``roimix plan --platform-limits/--platform-out``) and the
finance workbook (its 投放设置 sheet) call them.
"""
