"""Region geometry shared by every layer: conversions (:mod:`.convert`), VOT region text IO (:mod:`.vot_text`) and
overlaps in the VOT toolkit's pixel convention and the box conventions of GOT-10k and pytracking (:mod:`.overlap`),
and the VOT overlap batched over many pairs (:mod:`.overlap_batch`)."""

from ltr.regions.convert import (box_to_polygon, mask_to_box, mask_to_min_area_polygon, polygon_to_box,  # noqa: E402
                                 polygon_to_preserve_area_box, rasterize_box, rasterize_polygon)
from ltr.regions.overlap import box_iou, box_iou_pixel, region_overlap, region_overlaps  # noqa: E402
from ltr.regions.overlap_batch import region_overlaps_batch  # noqa: E402
from ltr.regions.vot_text import (Mask, Polygon, Rectangle, Special, format_region, parse_region,  # noqa: E402
                                  read_region_file, write_region_file)

__all__ = ["box_to_polygon", "mask_to_box", "mask_to_min_area_polygon", "polygon_to_box",
           "polygon_to_preserve_area_box", "rasterize_box", "rasterize_polygon", "box_iou", "box_iou_pixel",
           "region_overlap", "region_overlaps", "region_overlaps_batch", "Mask", "Polygon", "Rectangle", "Special",
           "format_region", "parse_region", "read_region_file", "write_region_file"]
