"""Frame and annotation reading: colour conversions and errors that name the file."""
import cv2
import numpy as np
import pytest
from PIL import Image

from ltr.admin.errors import DataFormatError
from ltr.data.image_io import read_image, read_palette_png, write_palette_png


def test_read_image_returns_rgb(tmp_path):
    bgr = np.zeros((4, 5, 3), np.uint8)
    bgr[..., 0] = 255  # blue in OpenCV's BGR order
    cv2.imwrite(str(tmp_path / "f.png"), bgr)
    rgb = read_image(tmp_path / "f.png")
    assert rgb.shape == (4, 5, 3) and rgb.dtype == np.uint8
    assert (rgb[..., 2] == 255).all() and (rgb[..., 0] == 0).all()


@pytest.mark.parametrize("channels", [1, 4])
def test_grayscale_and_rgba_become_rgb(tmp_path, channels):
    img = np.full((3, 3, channels) if channels > 1 else (3, 3), 100, np.uint8)
    cv2.imwrite(str(tmp_path / "f.png"), img)
    assert read_image(tmp_path / "f.png").shape == (3, 3, 3)


def test_missing_and_truncated_frames_name_the_file(tmp_path):
    with pytest.raises(DataFormatError, match="does not exist") as err:
        read_image(tmp_path / "missing.jpg")
    assert "missing.jpg" in str(err.value)
    ok, buf = cv2.imencode(".jpg", np.random.default_rng(0).integers(0, 255, (32, 32, 3), dtype=np.uint8))
    (tmp_path / "cut.jpg").write_bytes(buf.tobytes()[: len(buf) // 2])
    with pytest.raises(DataFormatError, match="truncated") as err:
        read_image(tmp_path / "cut.jpg")
    assert "cut.jpg" in str(err.value)
    (tmp_path / "junk.png").write_bytes(b"not an image at all")
    with pytest.raises(DataFormatError, match="junk.png"):
        read_image(tmp_path / "junk.png")


def test_palette_round_trip_and_non_palette_rejected(tmp_path):
    ids = np.zeros((6, 7), np.uint8)
    ids[1:3, 2:5] = 1
    ids[4, :] = 2
    write_palette_png(tmp_path / "a.png", ids)
    np.testing.assert_array_equal(read_palette_png(tmp_path / "a.png"), ids)
    Image.fromarray(ids * 100).save(tmp_path / "gray.png")  # mode 'L', not a palette image
    with pytest.raises(DataFormatError, match="palette") as err:
        read_palette_png(tmp_path / "gray.png")
    assert "gray.png" in str(err.value)
