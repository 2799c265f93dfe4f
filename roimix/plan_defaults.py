"""The plan defaults, one number each: a ground module (imports nothing) that the optimizer's default
scenario and the shell's plan settings (:mod:`roimix.settings`) both read, so they cannot drift apart."""

OBJECTIVES = ("gmv", "profit", "min_spend")
NEW_PRODUCT_CAP = 0.15
"""new-product spend ≤ this share of planned spend"""
NEW_CUSTOMER_CAP = 0.30
"""new-customer traffic ≤ this share of paid traffic"""
MARGIN = 0.45
"""gross margin on GMV for curves without their own"""
CVAR_LEVEL = 0.9
"""a cautious plan maximises the mean gain over the worst 1 − this share of curve draws"""
CAMPAIGN_CHOICE_DRAWS = 40
"""a campaign plan weighing risk (CVaR) is chosen on at most this many curve draws (the first of the even half;
its outcome is stated on the held-out odd half): each draw is a copy of every daily cell in the problem, a cone
for the solver per (draw, channel, segment, day)"""
CAMPAIGN_CHOICE_ROWS = 30_000
"""… and on fewer when draws × daily cells would pass this many rows (never fewer than
``CAMPAIGN_MIN_CHOICE_DRAWS``): measured on the sample's 14 cells on a busy 2-core machine, 40 draws over the
47 days of 618 (26,320 rows) took about 10 s a solve, 40 draws over 122 days (68,320 rows) 29–53 s, 17 draws
there (29,036 rows) 17 s"""
CAMPAIGN_MIN_CHOICE_DRAWS = 10
"""fewest draws a campaign plan weighing risk is chosen on (CVaR 0.9 then averages its worst draw)"""
