"""viz plot helpers: each returns a Figure, draws what it should and saves a PNG."""
import numpy as np
import pytest

import npgrad
from npgrad import viz

PNG = b"\x89PNG\r\n\x1a\n"


def saved(path):
    return path.read_bytes()[:8] == PNG and path.stat().st_size > 1000


def test_decision_boundary_two_classes_and_multiclass(tmp_path):
    rng = np.random.default_rng(0)
    X = rng.standard_normal((50, 2)).astype(np.float32)
    y = (X[:, 0] > 0).astype(int)
    fig = viz.plot_decision_boundary(lambda t: t[:, 0], X, y, filename=tmp_path / "a.png", resolution=50)
    assert saved(tmp_path / "a.png")
    ax = fig.axes[0]
    assert len(ax.collections) >= 2                 # shaded regions + points
    # a 3-class model read by argmax; a Module works as well
    lin = npgrad.nn.Linear(2, 3)
    viz.plot_decision_boundary(lin, X, y % 3, filename=tmp_path / "b.png", resolution=40)
    assert saved(tmp_path / "b.png")


def test_history_records_accepts_the_usual_shapes():
    recs = [{"epoch": 1, "loss": 1.0}, {"epoch": 2, "loss": 0.5}]
    assert viz.history_records(recs) == recs
    assert viz.history_records({"epoch": [1, 2], "loss": [1.0, 0.5]}) == recs

    class H:
        records = recs
    assert viz.history_records(H()) == recs


def test_history_plot_from_trainer_history(tmp_path):
    from npgrad.train import History
    h = History([{"epoch": 1, "train_loss": 1.0, "train_acc": 0.5, "test_acc": 0.4},
                 {"epoch": 2, "train_loss": 0.5, "train_acc": 0.8, "test_acc": 0.7}])
    fig = viz.plot_history(h, filename=tmp_path / "h.png")
    assert saved(tmp_path / "h.png")
    assert len(fig.axes) == 2                       # losses and accuracies apart
    lines = {ln.get_label(): ln for ax in fig.axes for ln in ax.get_lines()}
    assert set(lines) == {"train_loss", "train_acc", "test_acc"}
    np.testing.assert_allclose(lines["test_acc"].get_ydata(), [0.4, 0.7])
    np.testing.assert_allclose(lines["test_acc"].get_xdata(), [1, 2])


def test_contour_and_surface_paths(tmp_path):
    f = lambda x, y: x ** 2 + np.sin(y) ** 2  # noqa: E731
    path = np.array([[3.0, 1.0], [2.4, 0.9], [0.0, 0.0]])
    fig = viz.plot_contour_path(f, {"gd": path}, filename=tmp_path / "c.png")
    assert saved(tmp_path / "c.png")
    line = fig.axes[0].get_lines()[0]
    np.testing.assert_allclose(line.get_xdata(), path[:, 0])
    viz.plot_surface_path(f, path, filename=tmp_path / "s.png")
    assert saved(tmp_path / "s.png")


def test_activations_derivatives_by_autograd(tmp_path):
    fig = viz.plot_activations({"sigmoid": npgrad.sigmoid, "relu": npgrad.relu}, x_range=(-4, 4), n=81,
                               filename=tmp_path / "act.png")
    assert saved(tmp_path / "act.png")
    x, y, dy = fig.npgrad_curves["sigmoid"]
    np.testing.assert_allclose(dy, y * (1 - y), atol=1e-6)
    x, y, dy = fig.npgrad_curves["relu"]
    np.testing.assert_array_equal(dy, (x > 0).astype(np.float32))


def test_image_grid_titles_and_mistakes_in_red(tmp_path):
    imgs = np.random.default_rng(0).random((5, 1, 8, 8))
    fig = viz.plot_image_grid(imgs, labels=[0, 1, 2, 3, 4], predictions=[0, 1, 2, 3, 9], ncols=3,
                              filename=tmp_path / "g.png")
    assert saved(tmp_path / "g.png")
    titles = [ax.get_title() for ax in fig.axes if ax.get_title()]
    assert titles[:2] == ["0 / pred 0", "1 / pred 1"] and titles[4] == "4 / pred 9"
    red = [ax for ax in fig.axes if ax.get_title() == "4 / pred 9"][0]
    assert red.title.get_color() == "red"
    assert len(fig.axes) == 6                       # 2 rows of 3, the last one empty


@pytest.mark.parametrize("shape", [(4, 8, 8), (4, 8, 8, 3)])
def test_image_grid_layouts(shape):
    fig = viz.plot_image_grid(np.random.default_rng(0).random(shape))
    assert len(fig.axes) == 4


def test_activations_are_small_multiples_one_panel_each():
    fig = viz.plot_activations({"step": lambda x: (x > 0).float(), "relu": npgrad.relu, "elu": npgrad.nn.functional.elu})
    titled = [ax.get_title() for ax in fig.axes if ax.get_title()]
    assert titled == ["step", "relu", "elu"]
    assert all(len(ax.get_lines()) >= 2 for ax in fig.axes if ax.get_title())   # f and f' in each


def test_symmetric_image_grid_has_one_scale_centred_on_zero_and_a_colorbar():
    w = np.array([[[0.5, -0.1]], [[0.2, -2.0]]])
    fig = viz.plot_image_grid(w, cmap="RdBu_r", symmetric=True, colorbar=True)
    images = [im for ax in fig.axes for im in ax.get_images()]
    assert all(im.get_clim() == (-2.0, 2.0) for im in images)
    assert len(fig.axes) == 3                                   # two images and the colour bar


def test_convolution_figure_shows_input_kernel_and_response():
    img = np.zeros((8, 8)); img[2:6, 2:6] = 1
    ker = np.array([[1, 0, -1], [2, 0, -2], [1, 0, -1]])
    resp = np.array(npgrad.nn.functional.conv2d(npgrad.tensor(img[None, None], dtype=npgrad.float32),
                                                npgrad.tensor(ker[None, None], dtype=npgrad.float32))[0, 0])
    fig = viz.plot_convolution(img, ker, resp)
    titles = [ax.get_title() for ax in fig.axes if ax.get_title()]
    assert titles == ["input 8x8", "kernel 3x3", "response 6x6"]
    assert sorted(t.get_text() for t in fig.axes[1].texts) == sorted(f"{v:g}" for v in ker.ravel())
    assert fig.axes[2].get_images()[0].get_clim() == (-4.0, 4.0)


def test_one_epoch_curve_has_whole_number_ticks():
    fig = viz.plot_history([{"epoch": 1, "train_loss": 0.5, "train_acc": 0.9}])
    for ax in fig.axes:
        ticks = [t for t in ax.get_xticks() if ax.get_xlim()[0] <= t <= ax.get_xlim()[1]]
        assert ticks and all(float(t).is_integer() for t in ticks) and 1 in ticks
