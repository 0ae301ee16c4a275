"""Legend strips: every entry's colour is drawn as a swatch, labels in white, long legends wrap."""
import numpy as np
import pytest

from ltr.data.image_io import read_image
from ltr.data.legend import ROW_HEIGHT, legend_strip, tracker_colours, with_legend
from ltr.dataset.synthetic import write_contact_sheet


def _has_colour(image, colour, at_least=50):
    return int((image == np.asarray(colour, np.uint8)).all(axis=2).sum()) >= at_least


def test_strip_holds_every_colour_and_white_text():
    entries = [("ground truth", (255, 255, 0)), ("segm/default_params", (230, 25, 75)), ("fixedbox", (0, 130, 200))]
    strip = legend_strip(entries, 400)
    assert strip.shape == (ROW_HEIGHT, 400, 3)
    for _, colour in entries:
        assert _has_colour(strip, colour, at_least=100)  # the 10x10 swatch, exact colour
    # label text: near-white pixels (anti-aliasing differs between OpenCV builds and CPUs)
    assert (strip >= 200).all(axis=2).sum() > 30
    assert not _has_colour(legend_strip(entries[:1], 400), entries[1][1], at_least=1)


def test_long_legend_wraps_onto_more_lines_and_keeps_the_image():
    entries = [(f"tracker number {i}", c) for i, c in enumerate(tracker_colours(6))]
    strip = legend_strip(entries, 200)
    assert strip.shape[0] >= 3 * ROW_HEIGHT and strip.shape[0] % ROW_HEIGHT == 0
    for _, colour in entries:
        assert _has_colour(strip, colour)
    image = np.full((30, 200, 3), 7, np.uint8)
    out = with_legend(image, entries)
    np.testing.assert_array_equal(out[:30], image)
    np.testing.assert_array_equal(out[30:], strip)
    with pytest.raises(ValueError, match="width"):
        legend_strip(entries, 0)


def test_contact_sheet_legend_names_the_ground_truth_and_vos_objects(make_synthetic, tmp_path):
    sheet = read_image(write_contact_sheet(make_synthetic("vot", sequences=1, frames=4, size=(80, 60)),
                                           tmp_path / "vot.png", columns=2, thumb_width=80))
    assert _has_colour(sheet[-ROW_HEIGHT:], (255, 255, 0), at_least=100)  # the ground-truth swatch in the strip
    davis = make_synthetic("davis", sequences=2, frames=4, size=(80, 60))
    sheet = read_image(write_contact_sheet(davis, tmp_path / "davis.png", columns=2, thumb_width=80))
    plain = read_image(write_contact_sheet(davis, tmp_path / "plain.png", columns=2, thumb_width=80, legend=False))
    strip = sheet[plain.shape[0]:]
    assert strip.shape[0] % ROW_HEIGHT == 0 and strip.shape[0] > 0
    from ltr.data.image_io import davis_palette
    palette = np.array(davis_palette(), np.uint8).reshape(-1, 3)
    assert _has_colour(strip, palette[1], at_least=100)  # "object 1" swatch in the palette colour
