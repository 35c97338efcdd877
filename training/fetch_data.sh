#!/usr/bin/env bash
# Fetches the training material from Debian packages into training/data/raw (never committed):
# images from opencv-doc (examples/data), python3-skimage (skimage/data) and gnome-backgrounds,
# and the clips tree.avi and Megamind.avi from opencv-doc. vtest.avi is the validation clip:
# it is unpacked with the rest but the data loader refuses it.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
raw="$here/data/raw"
debs="$here/data/debs"
mkdir -p "$raw/images" "$raw/clips" "$debs"
cd "$debs"
for pkg in opencv-doc python3-skimage gnome-backgrounds; do
  ls ${pkg}_*.deb >/dev/null 2>&1 || apt-get download "$pkg" >/dev/null
  dpkg -x ${pkg}_*.deb "$debs/x"
done
x="$debs/x"
find "$x/usr/share/doc/opencv-doc/examples/data" -maxdepth 1 -type f \( -iname '*.jpg' -o -iname '*.png' \) -exec cp {} "$raw/images/" \;
find "$x" -path '*skimage/data/*' -type f \( -iname '*.png' -o -iname '*.jpg' \) -exec cp {} "$raw/images/" \;
find "$x/usr/share/backgrounds" -type f \( -iname '*.jpg' -o -iname '*.png' -o -iname '*.webp' \) -exec cp {} "$raw/images/" \;
for clip in tree.avi Megamind.avi vtest.avi; do
  src="$x/usr/share/doc/opencv-doc/examples/data/$clip"
  [ -f "$src" ] || src="$src.gz"
  case "$src" in *.gz) gunzip -c "$src" > "$raw/clips/$clip" ;; *) cp "$src" "$raw/clips/$clip" ;; esac
done
echo "images: $(ls "$raw/images" | wc -l), clips: $(ls "$raw/clips" | tr '\n' ' ')"
