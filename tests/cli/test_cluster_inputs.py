"""Inputs as a cluster holds them: folders of Parquet part files, and the whole pipeline on Spark."""

from __future__ import annotations

import shutil

import pandas as pd
import pytest

from roimix.cli import main


@pytest.fixture(scope="module")
def parted(tmp_path_factory):
    """A market whose logs are folders of part files (as Spark or Hive write them), beside single files."""
    from roimix.synthetic import MarketSpec, generate_market

    market = generate_market(MarketSpec(n_users=12_000, seed=8))
    folder = tmp_path_factory.mktemp("parted")
    for name in ("touchpoints", "conversions"):
        frame = getattr(market, name)
        frame.to_parquet(folder / f"{name}.parquet", index=False)
        (folder / name).mkdir()
        for i, part in enumerate(range(0, len(frame), len(frame) // 3 + 1)):
            frame.iloc[part:part + len(frame) // 3 + 1].to_parquet(folder / name / f"part-{i:05d}.parquet", index=False)
        (folder / name / "_SUCCESS").write_text("")
    market.spend.to_csv(folder / "spend.csv", index=False)
    market.channels.to_csv(folder / "channels.csv", index=False)
    return market, folder


def test_a_folder_of_part_files_gives_the_same_credit_as_one_file(parted, tmp_path):
    _, folder = parted
    for kind, t, c in (("file", "touchpoints.parquet", "conversions.parquet"), ("folder", "touchpoints", "conversions")):
        assert main(["attribute", "-t", str(folder / t), "-c", str(folder / c), "--model", "linear",
                     "--out", str(tmp_path / f"{kind}.csv")]) == 0
    pd.testing.assert_frame_equal(pd.read_csv(tmp_path / "folder.csv"), pd.read_csv(tmp_path / "file.csv"))


@pytest.mark.spark
def test_the_whole_pipeline_on_spark_fits_the_same_curves_as_on_duckdb(parted, tmp_path):
    """--engine spark --no-validate: journeys, touch-to-order gaps and the daily outcome all run on Spark
    (nothing is read by DuckDB on this machine), and the fitted curves equal DuckDB's to the last bit."""
    if shutil.which("java") is None:
        pytest.skip("Java is not installed (Spark needs a JVM; CI has Java 17)")
    _, folder = parted
    logs = ["-t", str(folder / "touchpoints"), "-c", str(folder / "conversions"), "-s", str(folder / "spend.csv"),
            "--channels", str(folder / "channels.csv"), "--budget", "9000",
            "--bootstrap", "0"]  # the journeys and the fit are the engines' work; the draws would only repeat the fit
    assert main(["plan", *logs, "--curves-out", str(tmp_path / "duck.csv")]) == 0
    assert main(["plan", *logs, "--engine", "spark", "--spark-master", "local[2]", "--no-validate",
                 "--curves-out", str(tmp_path / "spark.csv")]) == 0
    duck = pd.read_csv(tmp_path / "duck.csv", encoding="utf-8-sig")
    spark = pd.read_csv(tmp_path / "spark.csv", encoding="utf-8-sig")
    pd.testing.assert_frame_equal(spark, duck, check_exact=True)
