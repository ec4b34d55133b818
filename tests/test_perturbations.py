"""The perturbation functions against ImageNet-C (imgaug's imgcorruptlike) and the rain's stated properties."""

import itertools

import numpy as np
import pytest
from imgaug.augmenters import imgcorruptlike

from ravar_bench.perturbations import fog, gaussian_noise, rain, shot_noise
from ravar_bench.perturbations.fog import plasma_fractal

NOISES = [(gaussian_noise, imgcorruptlike.apply_gaussian_noise), (shot_noise, imgcorruptlike.apply_shot_noise)]
DRAWS = 24


def _ramp() -> np.ndarray:
    """Every intensity 0..255 in its own row, 48 pixels x 3 channels each."""
    return np.repeat(np.arange(256, dtype=np.uint8)[:, None, None], 48, axis=1).repeat(3, axis=2)


def _per_level(clean: np.ndarray, outs: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per clean intensity (rows of the ramp), pooled over draws: the residual's (out - clean) mean, variance
    and the standard error of that variance."""
    residual = outs.astype(np.float64) - clean.astype(np.float64)
    residual = residual.transpose(1, 0, 2, 3).reshape(256, -1)
    mean, var = residual.mean(axis=1), residual.var(axis=1)
    fourth = ((residual - mean[:, None]) ** 4).mean(axis=1)
    return mean, var, np.sqrt(np.maximum(fourth - var**2, 0) / residual.shape[1])


@pytest.mark.parametrize("severity", [1, 2, 3, 4, 5])
@pytest.mark.parametrize(("ours", "reference"), NOISES, ids=["gaussian", "shot"])
def test_noise_matches_imagenet_c_distribution(ours, reference, severity):
    clean = _ramp()
    mine = ours(np.repeat(clean[None], DRAWS, axis=0), severity, np.random.default_rng(severity))
    theirs = np.stack([reference(clean, severity=severity, seed=seed) for seed in range(DRAWS)])
    assert mine.dtype == np.uint8 and mine.shape == (DRAWS, *clean.shape)
    mean_a, var_a, var_se_a = _per_level(clean, mine)
    mean_b, var_b, var_se_b = _per_level(clean, theirs)
    samples = DRAWS * 48 * 3
    # Per intensity: means and variances within 5 standard errors of their difference (+ a rounding margin).
    mean_se = np.sqrt((var_a + var_b) / samples)
    assert np.all(np.abs(mean_a - mean_b) <= 5 * mean_se + 0.05)
    assert np.all(np.abs(var_a - var_b) <= 5 * np.hypot(var_se_a, var_se_b) + 0.5)
    # Over all intensities, the residual spread agrees to 2%.
    assert np.sqrt(var_a.mean()) == pytest.approx(np.sqrt(var_b.mean()), rel=0.02)
    # Pooled over all intensities, the output histograms agree (total variation distance).
    hist_a = np.bincount(mine.ravel(), minlength=256) / mine.size
    hist_b = np.bincount(theirs.ravel(), minlength=256) / theirs.size
    assert 0.5 * np.abs(hist_a - hist_b).sum() < 0.02


def _fog_effect(out: np.ndarray, clean: np.ndarray) -> tuple[float, float]:
    """Brightness lift (mean difference) and contrast kept (std ratio) of a fogged image."""
    out, clean = out.astype(np.float64), clean.astype(np.float64)
    return out.mean() - clean.mean(), out.std() / clean.std()


@pytest.mark.parametrize("severity", [1, 2, 3, 4, 5])
def test_fog_lift_and_contrast_match_imagenet_c(severity):
    y, x = np.mgrid[0:224, 0:224]
    clean = np.stack([x, y, (x + y) // 2], axis=-1).astype(np.uint8)
    seeds = range(48)
    ours = np.array([_fog_effect(fog(clean[None], severity, np.random.default_rng(s))[0], clean) for s in seeds])
    theirs = np.array([_fog_effect(imgcorruptlike.apply_fog(clean, severity=severity, seed=s), clean)
                       for s in seeds])
    # The fog texture varies between draws: compare the averages over draws, within 4 standard errors.
    standard_error = np.sqrt((ours.var(axis=0) + theirs.var(axis=0)) / len(seeds))
    assert np.all(np.abs(ours.mean(axis=0) - theirs.mean(axis=0)) <= 4 * standard_error)
    # And the effect is real: contrast is lost.
    assert ours[:, 1].mean() < 0.9


def test_fog_is_one_layer_per_clip_and_any_size():
    frames = np.full((3, 37, 53, 3), 120, dtype=np.uint8)
    out = fog(frames, 4, np.random.default_rng(0))
    assert out.shape == frames.shape and out.dtype == np.uint8
    assert np.array_equal(out[0], out[1]) and np.array_equal(out[1], out[2])
    assert out.std() > 0  # a texture, not a constant


def test_plasma_fractal_range_and_roughness():
    rng = np.random.default_rng(0)
    smooth, rough = plasma_fractal(64, 2.0, rng), plasma_fractal(64, 1.4, rng)
    assert smooth.min() == 0 and smooth.max() == 1 and smooth.dtype == np.float32
    # A slower wibble decay keeps more fine detail: larger neighbour differences.
    assert np.abs(np.diff(rough, axis=1)).mean() > np.abs(np.diff(smooth, axis=1)).mean()
    with pytest.raises(ValueError, match="power of two"):
        plasma_fractal(48, 2.0, rng)


def _rain_stats(severity: int) -> tuple[float, float]:
    """Mean brightness and the fraction of pixels brightened by drops, on a grey clip, over a few draws."""
    frames = np.full((4, 120, 160, 3), 100, dtype=np.uint8)
    outs = np.stack([rain(frames, severity, np.random.default_rng(s)) for s in range(4)]).astype(np.float64)
    darken = (0.9, 0.8, 0.7, 0.6, 0.5)[severity - 1]
    return outs.mean(), (outs > 100 * darken + 2).mean()


def test_rain_grows_with_severity():
    stats = [_rain_stats(severity) for severity in (1, 2, 3, 4, 5)]
    brightness, coverage = zip(*stats, strict=True)
    assert all(a > b for a, b in itertools.pairwise(brightness))
    assert all(a < b for a, b in itertools.pairwise(coverage))


@pytest.mark.parametrize("seed", range(4))
def test_rain_drops_are_streaks_along_the_fall(seed):
    frames = np.full((2, 160, 160, 3), 60, dtype=np.uint8)
    out = rain(frames, 4, np.random.default_rng(seed)).astype(np.float64).mean(axis=-1)
    gy, gx = np.gradient(out, axis=(1, 2))
    # Structure tensor: edges of near-vertical streaks are mostly horizontal gradients.
    jxx, jyy, jxy = (gx * gx).sum(), (gy * gy).sum(), (gx * gy).sum()
    normal = 0.5 * np.degrees(np.arctan2(2 * jxy, jxx - jyy))  # dominant gradient direction from the x axis
    assert abs(normal) <= 25  # streaks within 25 degrees of vertical (tilt <= 20, drop jitter <= 5)
    assert jxx > 3 * jyy  # strongly elongated
    assert not np.array_equal(out[0], out[1])  # new drops every frame


@pytest.mark.parametrize("fn", [fog, rain, shot_noise, gaussian_noise])
@pytest.mark.parametrize("shape", [(1, 1, 1, 3), (2, 17, 31, 3), (3, 33, 7, 3)])
def test_shape_dtype_and_determinism(fn, shape):
    frames = np.random.default_rng(1).integers(0, 256, shape, dtype=np.uint8)
    out = fn(frames, 5, np.random.default_rng(7))
    assert out.shape == shape and out.dtype == np.uint8
    assert np.array_equal(out, fn(frames, 5, np.random.default_rng(7)))


@pytest.mark.parametrize("fn", [fog, rain, shot_noise, gaussian_noise])
def test_bad_input_is_named(fn):
    with pytest.raises(ValueError, match="uint8 array"):
        fn(np.zeros((4, 4, 3), np.uint8), 1, np.random.default_rng(0))
    with pytest.raises(ValueError, match="severity"):
        fn(np.zeros((1, 4, 4, 3), np.uint8), 6, np.random.default_rng(0))
