import pytest

from fronts.config import config_from_dict, load_config
from fronts.errors import ConfigError


def test_defaults_need_no_file():
    config = load_config(None)
    assert config.window is None and config.seed == 42
    assert config.embed.model == "all-MiniLM-L6-v2"


def test_file_and_overrides(tmp_path):
    path = tmp_path / "fronts.toml"
    path.write_text("seed = 3\nwindow = [2019, 2024]\n[topics.hdbscan]\nmin_cluster_size = 25\n")
    config = load_config(path, seed=9, **{"score.n_fronts": 5})
    assert config.seed == 9 and config.window == (2019, 2024)
    assert config.topics.hdbscan.min_cluster_size == 25 and config.score.n_fronts == 5


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[topics.umap]\nn_neighbors = 'many'\n", "key 'topics.umap.n_neighbors'"),
        ("windoww = [2019, 2024]\n", "key 'windoww': Extra inputs are not permitted"),
        ("window = [2024, 2019]\n", "key 'window'"),
        ("[score]\nbootstrap = -1\n", "key 'score.bootstrap'"),
        ("[ingest.tabular]\ncolumns = {abstract = 'AB'}\n", "must name the 'title' column"),
        ("seed = \n", "not valid TOML"),
    ],
)
def test_bad_config_names_the_key(tmp_path, text, message):
    path = tmp_path / "bad.toml"
    path.write_text(text)
    with pytest.raises(ConfigError, match=message) as info:
        load_config(path)
    assert str(path) in str(info.value)


def test_missing_file_is_a_config_error(tmp_path):
    with pytest.raises(ConfigError, match="not found"):
        load_config(tmp_path / "nope.toml")


def test_only_the_cosine_metric_is_accepted():
    with pytest.raises(ConfigError, match=r"topics\.umap\.metric"):
        config_from_dict({"topics": {"umap": {"metric": "euclidean"}}})
