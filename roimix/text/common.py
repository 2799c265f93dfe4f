"""Words shared by every area: channel groups, segments, units."""

STRINGS = {
    "group.paid": ("付费广告", "Paid ads"),
    "group.content": ("内容种草", "Content"),
    "group.KOL": ("达人直播", "KOL live"),
    "group.social": ("私域社群", "Social / private traffic"),
    "group.organic": ("自然流量", "Organic"),
    "segment.new": ("新品", "New products"),
    "segment.existing": ("老品", "Existing products"),
    "segment.all": ("全部商品", "All products"),
    "baseline": ("自然成交（基线）", "Baseline (would buy anyway)"),
    "no_touch": ("无触点", "No touchpoint"),
}
