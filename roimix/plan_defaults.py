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
its outcome is stated on the held-out odd half). A daily campaign plan has draws × days × cells curve rows,
each a cone for the solver: 40 draws keep the bundled 618 scenario (47 days) to seconds, and CVaR at 0.9 still
averages its worst 4 draws"""
