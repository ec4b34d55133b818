"""``Perturb`` (seeding, determinism, key frame), the configs in perturbations/, ``--perturb`` parsing, preview."""

import io
import zlib
from pathlib import Path

import numpy as np
import pytest
from mmengine.config import Config
from PIL import Image

from ravar_bench.errors import UserError
from ravar_bench.perturbations.preview import preview_cells, preview_png
from ravar_bench.perturbations.spec import parse_perturb
from ravar_bench.perturbations.transform import Perturb, sample_seed
from ravar_bench.registry import PERTURBATIONS, TRANSFORMS

NAMES = ["fog", "rain", "shot_noise", "gaussian_noise"]
ROOT = Path(__file__).resolve().parents[1]


def _sample(key: str) -> dict:
    """A sample as DecodeFrames leaves it: a clip and a key frame of another size."""
    rng = np.random.default_rng(zlib.crc32(key.encode()))
    return dict(key=key, frames=rng.integers(0, 256, (3, 24, 32, 3), dtype=np.uint8),
                keyframe=rng.integers(0, 256, (40, 30, 3), dtype=np.uint8))


@pytest.mark.parametrize("name", NAMES)
def test_same_key_same_output_whatever_the_order(name):
    keys = [f"video{i}___0902___{i}" for i in range(6)]
    clean = {key: _sample(key) for key in keys}
    step = TRANSFORMS.build(dict(type="Perturb", name=name, severity=3, seed=11))

    def run(order: list[str]) -> dict:
        return {key: step({k: (v.copy() if isinstance(v, np.ndarray) else v) for k, v in clean[key].items()})
                for key in order}

    forward, backward = run(keys), run(keys[::-1])
    alone = {key: Perturb(name, 3, seed=11)(dict(clean[key])) for key in keys[2:4]}  # a fresh step, a sub-batch
    for key in keys:
        for field in ("frames", "keyframe"):
            assert np.array_equal(forward[key][field], backward[key][field])
            if key in alone:
                assert np.array_equal(forward[key][field], alone[key][field])
        assert forward[key]["keyframe"].shape == clean[key]["keyframe"].shape
        assert not np.array_equal(forward[key]["keyframe"], clean[key]["keyframe"])  # the key frame is perturbed
        assert forward[key]["perturbation"] == dict(name=name, severity=3, seed=11, version=1)
    # Different keys (same clean input) and different run seeds give different outputs.
    twin = {k: v for k, v in clean[keys[0]].items() if k != "key"}
    a = Perturb(name, 3, seed=11)(dict(twin, key="a", frames=twin["frames"].copy()))["frames"]
    b = Perturb(name, 3, seed=11)(dict(twin, key="b", frames=twin["frames"].copy()))["frames"]
    c = Perturb(name, 3, seed=12)(dict(twin, key="a", frames=twin["frames"].copy()))["frames"]
    assert not np.array_equal(a, b) and not np.array_equal(a, c)


def test_sample_seed_is_a_stable_hash():
    first = sample_seed(0, "v___1___2", "fog", 3).generate_state(4)
    assert np.array_equal(first, sample_seed(0, "v___1___2", "fog", 3).generate_state(4))
    for other in [(1, "v___1___2", "fog", 3), (0, "v___1___3", "fog", 3), (0, "v___1___2", "rain", 3),
                  (0, "v___1___2", "fog", 4)]:
        assert not np.array_equal(first, sample_seed(*other).generate_state(4))


def test_perturb_rejects_bad_arguments():
    with pytest.raises(KeyError, match="known: fog, gaussian_noise, rain, shot_noise"):
        Perturb("smoke", 3)
    with pytest.raises(ValueError, match=r"1\.\.5"):
        Perturb("fog", 0)
    with pytest.raises(ValueError, match="version 2"):
        Perturb("fog", 3, version=2)
    with pytest.raises(KeyError, match="results\\['key'\\]"):
        Perturb("fog", 3)(dict(frames=np.zeros((1, 4, 4, 3), np.uint8)))


@pytest.mark.parametrize("name", NAMES)
def test_config_files_name_the_code(name):
    """A perturbation config names the function, its version and a default severity; the severity table has
    one source, the code's (``register_perturbation``)."""
    config = Config.fromfile(str(ROOT / "perturbations" / f"{name}.py"))
    assert set(config.keys()) == {"type", "version", "default_severity"}
    fn = PERTURBATIONS.get(config.type)
    assert config.type == name and config.version == fn.version and len(fn.severity_table) == 5
    assert config.default_severity in (1, 2, 3, 4, 5)


@pytest.mark.parametrize(("spec", "name", "severity"), [
    ("fog", "fog", 3), ("rain:5", "rain", 5), ("shot", "shot_noise", 3), ("Gaussian:1", "gaussian_noise", 1),
    ("shot_noise:2", "shot_noise", 2)])
def test_parse_perturb(spec, name, severity):
    config = parse_perturb(spec, seed=4, root=ROOT)
    assert config == dict(type="Perturb", name=name, severity=severity, seed=4, version=1)
    assert isinstance(TRANSFORMS.build(config), Perturb)


def test_parse_perturb_errors():
    with pytest.raises(UserError, match="unknown perturbation 'smoke'; known: fog, gaussian_noise, rain"):
        parse_perturb("smoke", root=ROOT)
    for bad in ("fog:0", "fog:6", "fog:x"):
        with pytest.raises(UserError, match=r"1\.\.5"):
            parse_perturb(bad, root=ROOT)
    with pytest.raises(UserError, match="conflicts"):
        parse_perturb("fog:2", severity=3, root=ROOT)
    assert parse_perturb("fog", severity=5, root=ROOT)["severity"] == 5


def test_preview_grid():
    y, x = np.mgrid[0:48, 0:64]
    image = np.stack([x * 4, y * 5, (x + y) * 2], axis=-1).astype(np.uint8)
    cells = preview_cells(image, seed=3)
    assert sorted(cells) == sorted(NAMES)
    for name, row in cells.items():
        assert len(row) == 6 and np.array_equal(row[0], image)
        expected = Perturb(name, 2, seed=3)(dict(key="preview", keyframe=image.copy()))["keyframe"]
        assert np.array_equal(row[2], expected)
    png = Image.open(io.BytesIO(preview_png(image, seed=3)))
    assert png.format == "PNG" and png.width > png.height
