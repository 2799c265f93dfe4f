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
