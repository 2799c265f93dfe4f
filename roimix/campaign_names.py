"""Ground data: the (zh, en) names of the campaign templates and their phases, part of the templates' definition
like their dates. The campaign planner (:mod:`optimizer.campaign.calendar`) labels its phases with them and the
text (:mod:`roimix.text.campaign`) words them; neither imports the other."""

CAMPAIGN_LABELS = {"618": ("618", "618"), "double11": ("双11", "Double 11"),
                   "nianhuo": ("年货节", "Chinese New Year festival")}
PHASE_LABELS = {"preheat": ("预热", "Pre-heat"), "presale": ("预售", "Pre-sale"), "peak": ("爆发", "Peak"),
                "return": ("返场", "Return"), "regular": ("日常", "Regular days")}
"""The template phases and ``regular``, the days outside every phase."""
