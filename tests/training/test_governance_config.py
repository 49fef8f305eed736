import pytest

from lks.training.governance_config import FlipConfig, ProxyConfig, load


def test_the_versioned_file_loads_with_its_justified_thresholds():
    config = load()
    assert config.version and 0.5 < config.proxy.flag_auc < 1 and config.flips.sample_rows >= 100


def test_the_shipped_file_says_why_its_proxy_threshold_is_what_it_is():
    from lks.training.governance_config import DEFAULT_PATH

    text = DEFAULT_PATH.read_text(encoding="utf-8")
    assert "Rice & Harris 2005" in text and f"flag_auc: {load().proxy.flag_auc}" in text


def test_thresholds_outside_their_range_are_refused(tmp_path):
    with pytest.raises(ValueError, match="flag_auc must be between 0.5 and 1, but was 0.4"):
        ProxyConfig(flag_auc=0.4)
    with pytest.raises(ValueError, match="low_quantile < high_quantile"):
        FlipConfig(low_quantile=0.9, high_quantile=0.1)
    path = tmp_path / "governance.yaml"
    path.write_text('version: "x"\nproxy:\n  folds: 1\n', encoding="utf-8")
    with pytest.raises(ValueError, match="folds must be >= 2"):
        load(path)
