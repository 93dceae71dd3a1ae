#!/bin/sh
# Build Mantra Desktop with PyInstaller and wrap it into a Debian package.
#
#     packaging/build-deb.sh [--clean]
#
# Run from anywhere inside the repository, on Debian 12 (or a system with the
# same glibc or older) with Python 3.11 and dpkg-deb. It
#   1. creates .venv if it is missing and installs the app with its "package"
#      extra at the versions pinned in constraints.txt;
#   2. runs PyInstaller on build.spec (--clean also empties PyInstaller's cache);
#   3. lays out the package tree under build/deb/ and runs dpkg-deb;
# and leaves dist/mantra-desktop_<version>_<arch>.deb. Root is not needed.
#
# Environment: PYTHON picks the interpreter that creates a missing .venv
# (default python3.11); MANTRA_DESKTOP_BUILD_DEBUG=1 builds the troubleshooting
# variant described in build.spec.
set -eu

ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"

PYINSTALLER_ARGS="--noconfirm"
for arg in "$@"; do
    case "$arg" in
        --clean) PYINSTALLER_ARGS="$PYINSTALLER_ARGS --clean" ;;
        *) echo "usage: packaging/build-deb.sh [--clean]" >&2; exit 2 ;;
    esac
done

step() { printf '==> %s\n' "$*"; }

if [ ! -x .venv/bin/python ]; then
    step "Creating .venv with ${PYTHON:-python3.11}"
    "${PYTHON:-python3.11}" -m venv .venv
fi
# Reinstall only when the installed app or PyInstaller is not what the
# repository asks for: the spec reads the version from the installed metadata.
if ! .venv/bin/python - <<'PYTHON'
import re, sys, tomllib
from importlib.metadata import PackageNotFoundError, version
wanted = tomllib.load(open("pyproject.toml", "rb"))["project"]["version"]
pin = re.search(r"^pyinstaller==(\S+)$", open("constraints.txt").read(), re.M)
try:
    ok = version("mantra-desktop") == wanted and version("pyinstaller") == pin[1]
except PackageNotFoundError:
    ok = False
sys.exit(0 if ok else 1)
PYTHON
then
    step "Installing the app and PyInstaller at the pinned versions"
    .venv/bin/python -m pip install --quiet --disable-pip-version-check \
        --constraint constraints.txt --editable ".[package]"
fi

VERSION=$(.venv/bin/python -c \
    'import tomllib; print(tomllib.load(open("pyproject.toml", "rb"))["project"]["version"])')
ARCH=$(dpkg --print-architecture)
PACKAGE="dist/mantra-desktop_${VERSION}_${ARCH}.deb"

step "Building dist/mantra-desktop/ with PyInstaller"
# shellcheck disable=SC2086  # the arguments are words on purpose
.venv/bin/pyinstaller $PYINSTALLER_ARGS --log-level WARN build.spec

step "Laying out the package tree"
TREE=build/deb/mantra-desktop
rm -rf "$TREE"
mkdir -p "$TREE/DEBIAN" "$TREE/opt" "$TREE/usr/bin" \
    "$TREE/usr/share/applications" "$TREE/usr/share/metainfo" \
    "$TREE/usr/share/icons/hicolor/scalable/apps" \
    "$TREE/usr/share/doc/mantra-desktop"
cp -a dist/mantra-desktop "$TREE/opt/mantra-desktop"
ln -s /opt/mantra-desktop/mantra-desktop "$TREE/usr/bin/mantra-desktop"
install -m 644 resources/linux/org.mantradesktop.MantraDesktop.desktop \
    "$TREE/usr/share/applications/"
install -m 644 resources/linux/org.mantradesktop.MantraDesktop.metainfo.xml \
    "$TREE/usr/share/metainfo/"
install -m 644 resources/icons/mantra-desktop.svg \
    "$TREE/usr/share/icons/hicolor/scalable/apps/"
for icon in resources/icons/hicolor/*/apps/mantra-desktop.png; do
    size_dir=$(dirname "$(dirname "$icon")")
    mkdir -p "$TREE/usr/share/icons/hicolor/${size_dir##*/}/apps"
    install -m 644 "$icon" "$TREE/usr/share/icons/hicolor/${size_dir##*/}/apps/"
done
install -m 644 packaging/debian/copyright "$TREE/usr/share/doc/mantra-desktop/"
install -m 755 packaging/debian/postinst packaging/debian/postrm "$TREE/DEBIAN/"
# Files come out of the build with the builder's umask; packages want 644/755.
find "$TREE" -type d -exec chmod 755 {} +
find "$TREE/opt" -type f -exec chmod go-w,a+r {} +

(cd "$TREE" && find . -path ./DEBIAN -prune -o -type f -printf '%P\0' \
    | sort -z | xargs -0 md5sum) > "$TREE/DEBIAN/md5sums"

INSTALLED_SIZE=$(du -sk --exclude=DEBIAN "$TREE" | cut -f1)
sed -e "s/@VERSION@/$VERSION/" -e "s/@ARCH@/$ARCH/" \
    -e "s/@INSTALLED_SIZE@/$INSTALLED_SIZE/" \
    packaging/debian/control.in > "$TREE/DEBIAN/control"

step "Running dpkg-deb"
rm -f "$PACKAGE"
# zstd instead of xz: about a third larger, but built in seconds, not minutes.
dpkg-deb --root-owner-group -Zzstd --build "$TREE" "$PACKAGE" >/dev/null
step "Built $PACKAGE ($(du -h "$PACKAGE" | cut -f1); $(du -sh dist/mantra-desktop | cut -f1) unpacked)"
