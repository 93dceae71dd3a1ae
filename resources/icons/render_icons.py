"""Render the application icon from its SVG into every raster file the packages need.

Run it from the repository root after editing ``mantra-desktop.svg``::

    QT_QPA_PLATFORM=offscreen .venv/bin/python resources/icons/render_icons.py

It writes, next to this script:

- ``hicolor/<N>x<N>/apps/mantra-desktop.png`` for the freedesktop icon theme
  (Linux menus and docks), one per size in ``THEME_SIZES``;
- ``mantra-desktop.ico`` for Windows (PNG-compressed entries, 16 to 256 px);
- ``mantra-desktop.icns`` for macOS (PNG entries, 16 to 1024 px).

The ``.icns`` file is written directly in Apple's container format, so no Mac
is needed. On a Mac the same file can be made with Apple's own tool instead:
render the PNGs into a folder ``mantra-desktop.iconset`` named ``icon_16x16.png``,
``icon_16x16@2x.png`` (32 px), ``icon_32x32.png``, ``icon_32x32@2x.png`` (64 px),
and so on up to ``icon_512x512@2x.png`` (1024 px), then run
``iconutil -c icns mantra-desktop.iconset``.

Only PySide6 (QtSvg and QtGui) is needed; it renders offscreen.
"""

from __future__ import annotations

import os
import struct
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QRectF, Qt
from PySide6.QtGui import QGuiApplication, QImage, QImageWriter, QPainter
from PySide6.QtSvg import QSvgRenderer

ICON_NAME = "mantra-desktop"
ICON_DIR = Path(__file__).resolve().parent
SVG_PATH = ICON_DIR / f"{ICON_NAME}.svg"

THEME_SIZES = (16, 24, 32, 48, 64, 128, 256, 512)
ICO_SIZES = (16, 24, 32, 48, 64, 128, 256)

# Apple's element types for PNG payloads, with the pixel size each one holds.
ICNS_ELEMENTS = (
    (b"icp4", 16),
    (b"icp5", 32),
    (b"ic11", 32),
    (b"icp6", 64),
    (b"ic12", 64),
    (b"ic07", 128),
    (b"ic08", 256),
    (b"ic13", 256),
    (b"ic09", 512),
    (b"ic14", 512),
    (b"ic10", 1024),
)


def render_png(renderer: QSvgRenderer, size: int) -> bytes:
    """Return the SVG drawn on a transparent square of ``size`` pixels, as PNG."""
    image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)

    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
    renderer.render(painter, QRectF(0, 0, size, size))
    painter.end()

    encoded = QByteArray()
    buffer = QBuffer(encoded)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    writer = QImageWriter(buffer, QByteArray(b"png"))
    if not writer.write(image):
        raise RuntimeError(f"cannot encode the {size} px icon: {writer.errorString()}")
    buffer.close()
    return bytes(encoded.data())


def build_ico(pngs: dict[int, bytes]) -> bytes:
    """Pack PNG images into a Windows .ico container (PNG entries need Vista or later).

    A width or height byte of 0 means 256 pixels, as the format defines.
    """
    sizes = sorted(pngs)
    header = struct.pack("<HHH", 0, 1, len(sizes))
    offset = len(header) + 16 * len(sizes)

    directory = b""
    payload = b""
    for size in sizes:
        png = pngs[size]
        side = 0 if size >= 256 else size
        directory += struct.pack(
            "<BBBBHHII", side, side, 0, 0, 1, 32, len(png), offset + len(payload)
        )
        payload += png
    return header + directory + payload


def build_icns(pngs: dict[int, bytes]) -> bytes:
    """Pack PNG images into a macOS .icns container, one element per entry above."""
    body = b""
    for element_type, size in ICNS_ELEMENTS:
        png = pngs[size]
        body += element_type + struct.pack(">I", 8 + len(png)) + png
    return b"icns" + struct.pack(">I", 8 + len(body)) + body


def main() -> int:
    """Render every icon file and report each path written on standard output."""
    app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])
    renderer = QSvgRenderer(str(SVG_PATH))
    if not renderer.isValid():
        sys.stderr.write(f"cannot read {SVG_PATH}\n")
        return 1

    wanted = set(THEME_SIZES) | set(ICO_SIZES) | {size for _, size in ICNS_ELEMENTS}
    pngs = {size: render_png(renderer, size) for size in sorted(wanted)}

    written = []
    for size in THEME_SIZES:
        target = ICON_DIR / "hicolor" / f"{size}x{size}" / "apps" / f"{ICON_NAME}.png"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(pngs[size])
        written.append(target)

    ico_path = ICON_DIR / f"{ICON_NAME}.ico"
    ico_path.write_bytes(build_ico({size: pngs[size] for size in ICO_SIZES}))
    written.append(ico_path)

    icns_path = ICON_DIR / f"{ICON_NAME}.icns"
    icns_path.write_bytes(build_icns(pngs))
    written.append(icns_path)

    for path in written:
        sys.stdout.write(f"{path.relative_to(ICON_DIR)}\n")
    del app
    return 0


if __name__ == "__main__":
    sys.exit(main())
