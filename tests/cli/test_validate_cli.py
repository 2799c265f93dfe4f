"""``roimix validate``: "ok" and exit 0, or every problem and exit 2; never a traceback."""

from __future__ import annotations

from roimix.cli import main


def test_sample_data_is_valid(sample_dir, capsys):
    code = main(["validate", "--touchpoints", str(sample_dir / "touchpoints.parquet"),
                 "--conversions", str(sample_dir / "conversions.parquet"), "--spend", str(sample_dir / "spend.csv")])
    assert code == 0
    assert capsys.readouterr().out.strip() == "ok"


def test_problems_in_several_files_exit_2(tmp_path, sample_dir, capsys):
    spend = tmp_path / "spend.csv"
    spend.write_text("date,channel,spend\n2026-06-01,ztc,-5\n2026-06-02,ztc,oops\n", encoding="utf-8")
    conv = tmp_path / "conv.csv"
    conv.write_text("user_id,timestamp,value\nu1,not a time,3\n", encoding="utf-8")
    code = main(["validate", "-s", str(spend), "-c", str(conv), "-t", str(sample_dir / "touchpoints.parquet"),
                 "--lang", "en"])
    err = capsys.readouterr().err
    assert code == 2
    assert "spend.csv, row 2, column spend" in err
    assert "spend.csv, row 3, column spend" in err
    assert "conv.csv, row 2, column timestamp" in err
    assert "Traceback" not in err


def test_usage_errors_exit_2(capsys):
    assert main(["validate"]) == 2
    assert main(["validate", "--nope"]) == 2
    assert "Traceback" not in capsys.readouterr().err


def test_help_lists_subcommands(capsys):
    assert main(["--help"]) == 0
    out = capsys.readouterr().out
    for name in ("validate", "generate"):
        assert name in out
