"""A PNG encoder for a canvas' RGBA buffer, cheaper than PIL's on the monitor's plots."""
from __future__ import annotations

import struct
import zlib

import numpy as np


def png_rgba(rgba, width: int, height: int) -> bytes:
    """A PNG of the canvas' RGBA buffer: rows unfiltered, zlib level 1.

    About three times cheaper than PIL's encoder (which tries a filter per row)
    on a plot that is mostly white; the monitor encodes one picture a second.
    """
    a = np.frombuffer(rgba, dtype=np.uint8).reshape(height, width * 4)
    raw = np.empty((height, width * 4 + 1), dtype=np.uint8)
    raw[:, 0] = 0  # each row starts with its filter type: 0, none
    raw[:, 1:] = a

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)  # 8-bit RGBA
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw, 1))
            + chunk(b"IEND", b""))
